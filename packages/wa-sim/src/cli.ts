#!/usr/bin/env node
/**
 * `zapgate-sim [--port 7000] [--host 127.0.0.1]`: runs the simulator as a process and
 * prints its WebSocket URL, admin API URL and root key (JSON on one line).
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7000' },
    host: { type: 'string', default: '127.0.0.1' },
    'delivery-delay': { type: 'string' },
    'read-delay': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: zapgate-sim [--port 7000] [--host 127.0.0.1] [--delivery-delay ms] [--read-delay ms]\n',
  );
  process.exit(0);
}

const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  receipts: {
    ...(values['delivery-delay'] ? { deliveryDelayMs: Number(values['delivery-delay']) } : {}),
    ...(values['read-delay'] ? { readDelayMs: Number(values['read-delay']) } : {}),
  },
});
sim.on('paired', (event) => process.stdout.write(`paired ${event.deviceJid}\n`));
sim.on('error', (error) => process.stderr.write(`error ${error.message}\n`));
process.stdout.write(
  `${JSON.stringify({ url: sim.url, admin: sim.adminUrl, rootKey: sim.rootPublicKeyBase64 })}\n` +
    `gateway env: ZAPGATE_SIM_ROOT_KEY=${sim.rootPublicKeyBase64} ZAPGATE_SIM_ADMIN_URL=${sim.adminUrl}\n`,
);

const shutdown = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
