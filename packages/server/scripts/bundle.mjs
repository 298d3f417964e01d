// Bundles the `zapgate` CLI (dist/cli.js and everything it imports) into dist/bin/zapgate.js
// and a few chunks beside it: what is imported lazily (Baileys with the first socket, the
// plugins a config names, file-type with the first media) stays lazy, in a chunk of its own.
//
// Why: a server process spent most of its boot loading ~1,400 modules (resolving, reading and
// compiling each file); a few files load in a fraction of that. The library entry points
// (`@zapgate/server`, `@zapgate/core`, …) stay unbundled for teams composing their own gateway.
//
// Left outside the bundle (imported at run time from this package's dependencies):
// - packages that find their own files next to their modules (PGlite's WebAssembly, pino's
//   transport workers, Swagger UI's static files, the dashboard's built pages);
// - Baileys, loaded with the first WhatsApp socket;
// - the database drivers knex can load but the server never uses.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const external = [
  '@electric-sql/pglite',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@whiskeysockets/baileys',
  '@zapgate/dashboard',
  'pino',
  'pino-pretty',
  // knex's other dialects and pg's native binding: required only when configured
  'better-sqlite3',
  'mariadb',
  'mysql',
  'mysql2',
  'oracledb',
  'pg-native',
  'pg-query-stream',
  'sqlite3',
  'tedious',
];

// The entry removes `Object.prototype.__proto__` before any other module runs (shared chunks
// are evaluated before the module that imports them, so the CLI is imported after it).
const entry = `#!/usr/bin/env node
import './harden.js';
await import('./cli.js');
`;

// chunk names carry a hash: clear the last build's
await rm('dist/bin', { recursive: true, force: true });

await build({
  stdin: { contents: entry, resolveDir: 'dist', sourcefile: 'zapgate.js', loader: 'js' },
  outdir: 'dist/bin',
  entryNames: 'zapgate',
  chunkNames: '[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external,
  // CommonJS dependencies call `require`, which an ES module does not have
  banner: {
    js: "import { createRequire as __zapgateCreateRequire } from 'node:module'; const require = __zapgateCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
