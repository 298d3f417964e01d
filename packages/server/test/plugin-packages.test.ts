import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { memoryStore } from '@zapgate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startServer } from '../src/index.js';
import { loadPlugins } from '../src/plugins.js';

/** Writes an installed package `name` (ESM, `import`-only exports) with `source` as its entry. */
async function installPackage(dir: string, name: string, source: string) {
  const root = path.join(dir, 'node_modules', ...name.split('/'));
  await mkdir(root, { recursive: true });
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  await writeFile(path.join(root, 'index.js'), source);
}

// a third-party plugin as its author would publish it: a default-exported factory, plain JSON Schemas
const helloSource = `
export default function hello(options = {}) {
  return {
    id: 'hello',
    version: '1.2.3',
    routes: [{
      method: 'GET',
      path: '/hello',
      operationId: 'helloGreeting',
      summary: 'Greets',
      auth: 'admin',
      schema: { response: { 200: { type: 'object', properties: { greeting: { type: 'string' } } } } },
      handler: async () => ({ body: { greeting: options.greeting ?? 'hi' } }),
    }],
  };
}
`;

describe('ZAPGATE_PLUGINS with package names', () => {
  let project: string;
  let outside: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'zapgate-plugin-pkg-'));
    outside = await mkdtemp(path.join(tmpdir(), 'zapgate-plugin-none-'));
    await installPackage(project, '@acme/zapgate-plugin-hello', helloSource);
    await installPackage(project, '@acme/zapgate-plugin-empty', 'export const nothing = 1;\n');
    await installPackage(project, 'zapgate-plugin-throws', 'throw new Error("broken at import");\n');
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('loads an installed package by name from the working directory, calling its factory with the options', async () => {
    const [plugin] = await loadPlugins(
      [{ name: '@acme/zapgate-plugin-hello', options: { greeting: 'olá' } }],
      {
        cwd: project,
      },
    );
    expect(plugin).toMatchObject({ id: 'hello', version: '1.2.3' });
  });

  it('lists every problem at once: not installed, no factory, a throwing module, not a package name', async () => {
    const attempt = loadPlugins(
      [
        { name: 'webhooks', options: {} },
        { name: '@acme/zapgate-plugin-missing', options: {} },
        { name: '@acme/zapgate-plugin-empty', options: {} },
        { name: 'zapgate-plugin-throws', options: {} },
        { name: '../evil', options: {} },
      ],
      { cwd: project },
    );
    const error = await attempt.then(
      () => null,
      (e: unknown) => e as { code: string; details: string[] },
    );
    expect(error?.code).toBe('PLUGIN_NOT_FOUND');
    expect(error?.details).toEqual([
      expect.stringMatching(
        /^plugin "@acme\/zapgate-plugin-missing" is neither built in \(webhooks, chatwoot, campaigns\) nor an installed package resolvable from .*zapgate-plugin-pkg-/,
      ),
      '@acme/zapgate-plugin-empty has no plugin factory export (`default` or `plugin`)',
      'plugin "zapgate-plugin-throws" could not be loaded from zapgate-plugin-throws: broken at import',
      'unknown plugin "../evil" (built in: webhooks, chatwoot, campaigns; or the name of an installed package)',
    ]);
  });

  it('resolves from the working directory only: the same name elsewhere is not found', async () => {
    await expect(
      loadPlugins([{ name: '@acme/zapgate-plugin-hello', options: {} }], { cwd: outside }),
    ).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
  });

  it('runs in the server: listed by GET /v1/plugins, its route mounted under /v1', async () => {
    const adminKey = 'admin-key-for-the-plugin-package-test';
    const config = loadConfig({
      env: {
        ZAPGATE_ADMIN_KEY: adminKey,
        ZAPGATE_DATA_DIR: path.join(project, 'data'),
        LOG_LEVEL: 'silent',
        ZAPGATE_PLUGINS: JSON.stringify([
          { name: '@acme/zapgate-plugin-hello', options: { greeting: 'olá' } },
        ]),
      },
    });
    const server = await startServer(config, {
      cwd: project,
      store: memoryStore(),
      listen: false,
      out: new Writable({ write: (_chunk, _enc, done) => done() }),
      connector: { name: 'none', connect: () => Promise.reject(new Error('offline')) },
    });
    try {
      const headers = { 'x-api-key': adminKey };
      const plugins = await server.app.inject({ url: '/v1/plugins', headers });
      expect(plugins.json().items.map((p: { id: string; version: string }) => [p.id, p.version])).toEqual([
        ['hello', '1.2.3'],
      ]);
      const hello = await server.app.inject({ url: '/v1/hello', headers });
      expect([hello.statusCode, hello.json()]).toEqual([200, { greeting: 'olá' }]);
    } finally {
      await server.close();
    }
  });
});
