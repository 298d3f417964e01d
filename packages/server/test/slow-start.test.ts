import { fakeConnector, memoryStore } from '@zapgate/core/testing';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../src/index.js';
import { adminKey } from './fixtures.js';

// An embedded PGlite creating its data dir takes about a minute on a busy machine, and the
// gateway starts the store in Fastify's onReady, which Fastify limits to 10 s by default.
describe('a slow store start', () => {
  it('boots when starting the gateway takes longer than Fastify’s default 10 s', {
    timeout: 60_000,
  }, async () => {
    const store = memoryStore();
    const init = store.init.bind(store);
    let initialised = false;
    store.init = async () => {
      await new Promise((resolve) => setTimeout(resolve, 11_000)); // the slow boot itself
      await init();
      initialised = true;
    };
    const app = buildServer({ adminKey, store, connector: fakeConnector(), logger: false, dashboard: false });
    try {
      await app.ready();
      expect(initialised).toBe(true);
      expect((await app.inject('/health/ready')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('gives up after startTimeoutMs with Fastify’s hook timeout', async () => {
    const store = memoryStore();
    store.init = () => new Promise(() => {});
    const app = buildServer({
      adminKey,
      store,
      connector: fakeConnector(),
      logger: false,
      dashboard: false,
      startTimeoutMs: 200,
    });
    await expect(app.ready()).rejects.toMatchObject({ code: 'FST_ERR_HOOK_TIMEOUT' });
  });
});
