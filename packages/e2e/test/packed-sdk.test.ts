import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fakeConnector, memoryStore } from '@zapgate/core/testing';
import { buildServer, type ZapgateServer } from '@zapgate/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packages = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// What a client developer writes: strict TypeScript against the installed package only.
const client = `import { createZapgateClient } from '@zapgate/sdk';
import { verifyWebhook } from '@zapgate/sdk/webhooks';

const [baseUrl, apiKey] = process.argv.slice(2) as [string, string];
const zg = createZapgateClient({ baseUrl, apiKey });

const created = await zg.sessions.create({ name: 'packed' });
if (created.error) throw new Error(created.error.code);
const sessionId: string = created.data.id;
await zg.sessions.connect(sessionId);
let status: string = created.data.status;
for (let i = 0; i < 200 && status !== 'connected'; i++) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  status = (await zg.sessions.get(sessionId)).data?.status ?? 'gone';
}
const sent = await zg.messages.sendText(sessionId, '15550001111', 'hello from the tarball');
const missing = await zg.sessions.get('00000000-0000-4000-8000-000000000000');
const listed = await zg.sessions.list();

// never called: the types must refuse these, or tsc fails on an unused expectation
export function typeChecks() {
  // @ts-expect-error a session name is a string
  void zg.sessions.create({ name: 42 });
  // @ts-expect-error there is no such route
  void zg.sessions.explode(sessionId);
  return typeof verifyWebhook;
}

console.log(JSON.stringify({
  status,
  sentText: sent.data && 'text' in sent.data.content ? sent.data.content.text : null,
  missing: missing.error?.code ?? null,
  names: listed.data?.items.map((s) => s.name) ?? [],
}));
`;

const tsconfig = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    outDir: 'out',
  },
  include: ['client.ts'],
};

describe('the packed SDK in a fresh project', () => {
  let dir: string;
  let app: ZapgateServer;
  const adminKey = 'admin-key-of-the-packed-sdk-test';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zapgate-packed-sdk-'));
    app = buildServer({
      adminKey,
      logger: false,
      docs: false,
      store: memoryStore(),
      connector: fakeConnector({ autoOpen: true }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('packs with pnpm, installs with npm, type-checks with tsc --strict and talks to a live server', {
    timeout: 240_000,
  }, async () => {
    const tarballs = path.join(dir, 'tarballs');
    await mkdir(tarballs);
    await run('npx', ['--yes', 'pnpm@10', 'pack', '--pack-destination', tarballs], {
      cwd: path.join(packages, 'sdk'),
    });
    const [tarball] = await readdir(tarballs);
    expect(tarball).toMatch(/^zapgate-sdk-\d+\.\d+\.\d+\.tgz$/);

    const project = path.join(dir, 'project');
    await mkdir(project);
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        path.join(tarballs, tarball!),
        '@types/node@20',
      ],
      { cwd: project },
    );
    const installed = JSON.parse(
      await readFile(path.join(project, 'node_modules', '@zapgate', 'sdk', 'package.json'), 'utf8'),
    );
    // the monorepo's source condition does not ship: the exports point at built files only
    expect(JSON.stringify(installed.exports)).not.toContain('@zapgate/source');
    expect(installed.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });

    await writeFile(path.join(project, 'client.ts'), client);
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((error) => {
      throw new Error(`tsc --strict failed:\n${error.stdout}${error.stderr}`);
    });

    const address = app.server.address() as { port: number };
    const { stdout } = await run(
      process.execPath,
      [path.join(project, 'out', 'client.js'), `http://127.0.0.1:${address.port}`, adminKey],
      { cwd: project },
    );
    expect(JSON.parse(stdout)).toEqual({
      status: 'connected',
      sentText: 'hello from the tarball',
      missing: 'SESSION_NOT_FOUND',
      names: ['packed'],
    });
  });
});
