import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Manifest = {
  name: string;
  private?: boolean;
  files?: string[];
  bin?: Record<string, string>;
  exports?: Record<string, Record<string, string> | string>;
  scripts?: Record<string, string>;
  publishConfig?: { access?: string; exports?: Record<string, Record<string, string>> };
};
const manifests = readdirSync(root)
  .map((dir) => ({ dir, file: path.join(root, dir, 'package.json') }))
  .filter(({ file }) => {
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  })
  .map(({ dir, file }) => ({ dir, pkg: JSON.parse(readFileSync(file, 'utf8')) as Manifest }));
const published = manifests.filter(({ pkg }) => !pkg.private);

/** The exports map without the monorepo's `@zapgate/source` condition (what a registry user resolves). */
const withoutSource = (exports: Manifest['exports'] = {}) =>
  Object.fromEntries(
    Object.entries(exports).map(([key, conditions]) => [
      key,
      typeof conditions === 'string'
        ? conditions
        : Object.fromEntries(
            Object.entries(conditions).filter(([condition]) => condition !== '@zapgate/source'),
          ),
    ]),
  );

describe('every public package is publishable', () => {
  it('covers the packages users install', () => {
    expect(published.map(({ pkg }) => pkg.name).sort()).toEqual([
      '@zapgate/core',
      '@zapgate/dashboard',
      '@zapgate/plugin-campaigns',
      '@zapgate/plugin-chatwoot',
      '@zapgate/plugin-webhooks',
      '@zapgate/sdk',
      '@zapgate/server',
      '@zapgate/store-postgres',
      '@zapgate/wa-sim',
    ]);
  });

  for (const { dir, pkg } of published) {
    it(`${pkg.name}: built files only, public, built before packing, an install section`, () => {
      expect(pkg.files?.length).toBeGreaterThan(0);
      expect(pkg.publishConfig?.access).toBe('public');
      expect(pkg.scripts?.prepack).toBe('pnpm run build');
      const shipped = pkg.publishConfig?.exports ?? pkg.exports ?? {};
      expect(shipped).toEqual(withoutSource(pkg.exports));
      const targets = [
        ...Object.values(shipped).flatMap((c) => (typeof c === 'string' ? [c] : Object.values(c))),
        ...Object.values(pkg.bin ?? {}),
      ];
      for (const target of targets) {
        const relative = path.posix.normalize(target);
        if (relative === 'package.json') continue; // npm packs it always
        expect(
          pkg.files?.some((entry) => relative === entry || relative.startsWith(`${entry}/`)),
          `${target} is in "files"`,
        ).toBe(true);
      }
      const readme = readFileSync(path.join(root, dir, 'README.md'), 'utf8');
      expect(readme).toMatch(new RegExp(`## Install\\n\\n\`\`\`sh\\nnpm install [^\\n]*${pkg.name}`));
    });
  }

  it('@zapgate/server installs the documented `zapgate` command (npx zapgate start)', () => {
    const server = published.find(({ pkg }) => pkg.name === '@zapgate/server')!;
    expect(server.pkg.bin).toEqual({ zapgate: './dist/bin/zapgate.js' });
    const cli = readFileSync(path.join(root, 'server', 'dist', 'bin', 'zapgate.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(readFileSync(path.join(root, 'server', 'README.md'), 'utf8')).toContain('npx zapgate start');
  });
});
