import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateAdminKey } from './auth.js';

/**
 * The admin key kept in `<dataDir>/admin-key` (mode 0600): read when present, otherwise
 * generated and written. `generated` tells the caller to show it, once.
 */
export async function ensureAdminKey(
  dataDir: string,
): Promise<{ key: string; generated: boolean; file: string }> {
  const file = path.join(dataDir, 'admin-key');
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length >= 16) return { key, generated: false, file };
    throw new Error(`${file} holds no valid admin key; delete it to have a new one generated`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = generateAdminKey();
  // `wx` fails if another process created the file meanwhile: then use theirs.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureAdminKey(dataDir);
    throw error;
  }
  return { key, generated: true, file };
}
