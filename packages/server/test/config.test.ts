import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isGatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { ensureAdminKey } from '../src/admin-key.js';
import { loadConfig } from '../src/index.js';
import { loadPlugins } from '../src/plugins.js';

function configError(fn: () => unknown): { code: string; details: string[]; message: string } {
  try {
    fn();
  } catch (error) {
    if (isGatewayError(error))
      return { code: error.code, details: error.details as string[], message: error.message };
    throw error;
  }
  throw new Error('expected a config error');
}

describe('loadConfig', () => {
  it('applies defaults and freezes', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      logLevel: 'info',
      plugins: [{ name: 'webhooks', options: {} }],
      allowPrivateUrls: [],
    });
    expect(config.adminKey).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.plugins)).toBe(true);
  });

  it('loads no plugin with ZAPGATE_PLUGINS=none', () => {
    expect(loadConfig({ env: { ZAPGATE_PLUGINS: 'none' } }).plugins).toEqual([]);
  });

  it('reads and converts the environment', () => {
    const config = loadConfig({
      env: {
        PORT: '8080',
        HOST: '127.0.0.1',
        ZAPGATE_ADMIN_KEY: 'k'.repeat(20),
        DATABASE_URL: 'postgres://u:p@localhost/db',
        LOG_LEVEL: 'debug',
        ZAPGATE_PLUGINS: 'webhooks, chatwoot',
        ZAPGATE_ALLOW_PRIVATE_URLS: '10.0.0.0/8, chatwoot.internal',
        WA_WEBSOCKET_URL: 'ws://127.0.0.1:7100/ws/chat',
        ZAPGATE_DOCS: 'false',
      },
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      docs: false,
      plugins: [
        { name: 'webhooks', options: {} },
        { name: 'chatwoot', options: {} },
      ],
      allowPrivateUrls: ['10.0.0.0/8', 'chatwoot.internal'],
      waWebSocketUrl: 'ws://127.0.0.1:7100/ws/chat',
    });
  });

  it('takes plugins with options as JSON, and the file under the environment', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zapgate-config-'));
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ port: 4000, logLevel: 'warn', plugins: [{ name: 'webhooks', options: { a: 1 } }] }),
    );
    const config = loadConfig({ env: { ZAPGATE_CONFIG: file, PORT: '5000' } });
    expect(config.port).toBe(5000);
    expect(config.logLevel).toBe('warn');
    expect(config.plugins).toEqual([{ name: 'webhooks', options: { a: 1 } }]);
  });

  it('lists every problem at once, naming the variables', () => {
    const error = configError(() =>
      loadConfig({
        env: {
          PORT: 'not-a-port',
          LOG_LEVEL: 'loud',
          DATABASE_URL: 'mysql://nope',
          ZAPGATE_ENCRYPTION_KEY: 'short',
          ZAPGATE_PLUGINS: '[{"name": 1}',
        },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    const text = error.details.join('\n');
    expect(text).toContain('ZAPGATE_PLUGINS: not valid JSON');
    expect(text).toMatch(/port \(PORT\)/);
    expect(text).toMatch(/logLevel \(LOG_LEVEL\)/);
    expect(text).toMatch(/databaseUrl \(DATABASE_URL\)/);
    expect(text).toMatch(/encryptionKey \(ZAPGATE_ENCRYPTION_KEY\)/);
  });

  it('rejects unknown keys and a bad file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zapgate-config-'));
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ prot: 3000 }));
    expect(configError(() => loadConfig({ env: {}, file })).message).toMatch(/prot/);
    await writeFile(file, '{ nope');
    expect(configError(() => loadConfig({ env: {}, file })).details[0]).toContain(file);
  });
});

describe('plugins from config', () => {
  it('fails on unknown names, listing them all', async () => {
    await expect(
      loadPlugins([
        { name: 'nope', options: {} },
        { name: 'other', options: {} },
      ]),
    ).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      details: [expect.stringContaining('"nope"'), expect.stringContaining('"other"')],
    });
  });

  it('calls the known factory with the options', async () => {
    const plugins = await loadPlugins([{ name: 'webhooks', options: { retries: 3 } }], {
      importer: async (specifier) => ({
        webhooks: (options: unknown) => ({ id: 'webhooks', version: '1.0.0', options, specifier }),
      }),
    });
    expect(plugins).toEqual([
      { id: 'webhooks', version: '1.0.0', options: { retries: 3 }, specifier: '@zapgate/plugin-webhooks' },
    ]);
  });
});

describe('admin key file', () => {
  it('is generated once with mode 0600 and read back afterwards', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zapgate-key-'));
    const first = await ensureAdminKey(dir);
    expect(first.generated).toBe(true);
    expect(first.key).toMatch(/^zga_[\w-]{43}$/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    const second = await ensureAdminKey(dir);
    expect(second).toMatchObject({ key: first.key, generated: false });
    expect((await readFile(first.file, 'utf8')).trim()).toBe(first.key);
  });
});
