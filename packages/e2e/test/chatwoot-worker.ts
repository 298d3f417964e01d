// A second gateway process on the same Postgres, running the Chatwoot plugin's jobs and event
// consumers (it owns no WhatsApp socket: it starts before any session is paired, so its boot
// connects nothing). Started by chatwoot-nodes.test.ts; prints "ready" once started.
import path from 'node:path';
import { createGateway, localMediaStore } from '@zapgate/core';
import { fakeConnector } from '@zapgate/core/testing';
import { chatwoot } from '@zapgate/plugin-chatwoot';
import { postgresStore } from '@zapgate/store-postgres';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const store = postgresStore({ databaseUrl: env('WORKER_DATABASE_URL') });
const gateway = createGateway({
  store,
  connector: fakeConnector(),
  mediaStore: localMediaStore({ dir: path.join(env('WORKER_DATA_DIR'), 'media') }),
  config: { allowPrivateUrls: ['127.0.0.1'] },
  tuning: { events: { pollIntervalMs: 100, retryMinMs: 50, retryMaxMs: 500 } },
  plugins: [chatwoot({ publicUrl: env('WORKER_PUBLIC_URL'), maxRetryDelayMs: 2000, timeoutMs: 5000 })],
});
await gateway.start();
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await gateway.stop();
  await store.close();
  process.exit(0);
});
