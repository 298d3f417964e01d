import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const at = (relative: string) => new URL(`../${relative}`, import.meta.url);
const readme = readFileSync(at('README.md'), 'utf8');
const embedded = [
  ...readme.matchAll(/<!-- example:(\S+) -->\n\n```ts\n([\s\S]*?)```\n\n<!-- \/example -->/g),
];

describe("the README's examples", () => {
  it('are the files CI compiles and runs', () => {
    expect(embedded.map(([, file]) => file)).toEqual([
      'examples/auto-reply/plugin.ts',
      'examples/auto-reply/plugin.test.ts',
    ]);
  });

  // vitest runs the example's test without checking types; this compiles them as a user would (strict)
  it('type-check (tsc --strict, noUncheckedIndexedAccess), with test/types (emit narrowed to declared types)', {
    timeout: 180_000,
  }, async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.examples.json'], {
      cwd: fileURLToPath(at('.')),
    }).catch((error) => {
      throw new Error(`the examples do not type-check:\n${error.stdout}${error.stderr}`);
    });
  });

  for (const [, file, code] of embedded) {
    it(`${file} is embedded exactly`, () => {
      expect(code).toBe(readFileSync(at(file!), 'utf8'));
    });
  }
});
