import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createGateway, type GatewayPlugin, type Store } from '@zapgate/core';
import { buildServer } from './build-server.js';
import { knownPlugins, loadPlugins } from './plugins.js';

/** A store that is never called: documenting routes needs no database. */
const unusedStore = new Proxy({ kind: 'none' } as Store, {
  get: (target, property) =>
    property in target
      ? target[property as keyof Store]
      : () => {
          throw new Error('the OpenAPI writer does not use a store');
        },
});

/**
 * The OpenAPI document of the server with every installed known plugin, as deterministic
 * JSON (2-space indent, trailing newline).
 */
export async function openapiDocument(plugins?: GatewayPlugin[]): Promise<string> {
  const loaded = plugins ?? (await installedPlugins());
  const gateway = createGateway({
    store: unusedStore,
    connector: { name: 'none', connect: () => Promise.reject(new Error('not connected')) },
    plugins: loaded,
  });
  const app = buildServer({ gateway, adminKey: 'openapi-writer-placeholder', logger: false });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function installedPlugins(): Promise<GatewayPlugin[]> {
  const plugins: GatewayPlugin[] = [];
  for (const name of Object.keys(knownPlugins)) {
    try {
      plugins.push(...(await loadPlugins([{ name, options: {} }])));
    } catch (error) {
      process.stderr.write(
        `openapi: plugin "${name}" left out: ${error instanceof Error ? error.message.split('\n').at(-1) : error}\n`,
      );
    }
  }
  return plugins;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
  await writeFile(target, await openapiDocument());
  process.stdout.write(`wrote ${target}\n`);
}
