import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderReadme } from './readme.js';
import { envExample } from './settings-docs.js';

/** Where the generated docs live, from this file. */
export const docFiles = {
  openapi: new URL('../openapi.json', import.meta.url),
  readme: new URL('../README.md', import.meta.url),
  envExample: new URL('../../../.env.example', import.meta.url),
};

/** The README and `.env.example` as they should be, from the committed OpenAPI document and the options. */
export async function generatedDocs(): Promise<{ readme: string; envExample: string }> {
  const doc = JSON.parse(await readFile(docFiles.openapi, 'utf8'));
  const readme = await readFile(docFiles.readme, 'utf8');
  return { readme: await renderReadme(readme, doc), envExample: envExample() };
}

/**
 * Markdown tables without their alignment padding (Biome pads the committed README's tables;
 * the generator does not), so generated and committed text compare by content.
 */
export const unpadTables = (markdown: string): string =>
  markdown
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => (/^\s*-+\s*$/.test(cell) ? '---' : cell.trim()))
            .join('|')
        : line,
    )
    .join('\n');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const docs = await generatedDocs();
  await writeFile(docFiles.readme, docs.readme);
  // the repository's formatter pads the tables
  execFileSync('npx', ['biome', 'format', '--write', fileURLToPath(docFiles.readme)], { stdio: 'ignore' });
  await writeFile(docFiles.envExample, docs.envExample);
  process.stdout.write(`wrote ${fileURLToPath(docFiles.readme)} and ${fileURLToPath(docFiles.envExample)}\n`);
}
