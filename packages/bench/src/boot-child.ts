// One server in its own process, so its boot (module loading included) is timed from outside.
// Argument: JSON { kind: 'zapgate' | 'bare', port, databaseUrl?, dataDir?, openDelayMs }.
// Answers IPC 'stats' with what is true about its sessions (sockets open vs statuses stored).
// The bare reference loads Fastify only; the gateway's modules load in the timed boot.
import { createWriteStream } from 'node:fs';
import type { Connector } from '@zapgate/core';
import Fastify from 'fastify';

interface Args {
  kind: 'zapgate' | 'bare';
  adminKey: string;
  port: number;
  databaseUrl?: string;
  dataDir: string;
  openDelayMs: number;
}

const args = JSON.parse(process.argv[2] as string) as Args;
const send = (message: unknown) => process.send?.(message);

if (args.kind === 'bare') {
  const app = Fastify({ logger: false });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.get('/v1/sessions', async () => ({ items: [] }));
  await app.listen({ port: args.port, host: '127.0.0.1' });
  process.on('message', async (message) => {
    if (message === 'close') {
      await app.close();
      process.exit(0);
    }
  });
} else {
  const { loadConfig, startServer } = await import('@zapgate/server');
  const { fakeConnector } = await import('@zapgate/core/testing');
  const fake = fakeConnector({ autoOpen: true, openDelayMs: args.openDelayMs });
  const devNull = createWriteStream('/dev/null');
  const config = loadConfig({
    env: {},
    overrides: {
      port: args.port,
      host: '127.0.0.1',
      adminKey: args.adminKey,
      dataDir: args.dataDir,
      logFormat: 'json',
      ...(args.databaseUrl ? { databaseUrl: args.databaseUrl } : {}),
    },
  });
  const { app, close } = await startServer(config, {
    connector: fake as Connector,
    out: devNull,
    logDestination: devNull,
  });
  // production loads Baileys with the first socket, after listening; so does the bench (its
  // sessions then open through a fake connector)
  void import('@zapgate/core/baileys');
  process.on('message', async (message) => {
    if (message === 'stats') {
      const sessions = await app.gateway.store.sessions.list();
      send({
        stats: {
          sessions: sessions.length,
          connected: sessions.filter((s) => s.status === 'connected').length,
          connecting: sessions.filter((s) => s.status === 'connecting').length,
          // a session that says connected without a live socket is lying
          connectedWithoutSocket: sessions.filter(
            (s) => s.status === 'connected' && fake.liveSockets(s.id) === 0,
          ).length,
          sockets: sessions.filter((s) => fake.liveSockets(s.id) > 0).length,
          maxConcurrentConnects: fake.maxConcurrentConnects,
        },
      });
    }
    // ends at once (a profile is written on exit)
    if (message === 'exit') process.exit(0);
    if (message === 'close') {
      await close();
      process.exit(0);
    }
  });
}
// CPU spent until listening: what the start costs, whatever else the machine is doing
const cpu = process.cpuUsage();
send({ listening: { cpuMs: (cpu.user + cpu.system) / 1000 } });
