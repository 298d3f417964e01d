// Sessions paired on a simulator in a process of their own, measured from inside after GC.
// Argument: JSON { kind: 'zapgate' | 'raw', url, rootKey, certificate, count, concurrency,
// databaseUrl?, dataDir, adminKey, phonePrefix }. Run with --expose-gc. Asks the parent to scan each QR
// (IPC `{ qr, phoneNumber }` → `{ scanned }`), answers `measure` with memory after GC.
import { createWriteStream } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';

interface Args {
  kind: 'zapgate' | 'raw';
  url: string;
  rootKey: string;
  certificate: string;
  count: number;
  concurrency: number;
  databaseUrl?: string;
  dataDir: string;
  adminKey: string;
  /** Digits the paired phone numbers start with (unique per child). */
  phonePrefix: string;
  /**
   * Run the gateway as one node of several on `databaseUrl` (listening on a port of its own,
   * so the others can forward to it); `measure` then also answers the sessions it runs.
   */
  node?: { id: string; leaseMs: number; heartbeatMs: number };
}

const args = JSON.parse(process.argv[2] as string) as Args;
const send = (message: unknown) => process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-child needs --expose-gc');

// Baileys is loaded before the baseline in both kinds: what a session costs, not the library
const { openRawSocket } = await import('./raw-baileys.js');
const { memoryAuthState, trustSimulatorRoot } = await import('@zapgate/wa-sim');
trustSimulatorRoot(args.rootKey);
const fetchAgent = new https.Agent({ ca: args.certificate, keepAlive: true });
const simConfig = { waWebSocketUrl: args.url, fetchAgent };

let qrWaiters = 0;
/** The parent's simulated phone scans `qr`; resolves once it paired. */
function scan(qr: string, phoneNumber: string): Promise<void> {
  const id = ++qrWaiters;
  return new Promise((resolve, reject) => {
    const on = (message: { scanned?: number; failed?: number; error?: string }) => {
      if (message.scanned === id) {
        process.off('message', on);
        resolve();
      }
      if (message.failed === id) {
        process.off('message', on);
        reject(new Error(message.error));
      }
    };
    process.on('message', on);
    send({ qr, phoneNumber, id });
  });
}

async function measure() {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

async function pool(count: number, concurrency: number, run: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

const phoneOf = (i: number) => `${args.phonePrefix}${String(i).padStart(6, '0')}`;
let close: () => Promise<void> = async () => {};
let pair: (i: number) => Promise<void>;
/** Sessions this process runs as a node (see `node`). */
let owned: (() => Promise<number>) | null = null;

if (args.kind === 'raw') {
  const sockets: WASocket[] = [];
  const open = (state: AuthenticationState) => openRawSocket(simConfig, state);
  pair = async (i) => {
    const state = memoryAuthState();
    const first = open(state);
    let paired: Promise<void> | undefined;
    await new Promise<void>((resolve, reject) =>
      first.ev.on('connection.update', (u) => {
        if (u.qr && !paired) paired = scan(u.qr, phoneOf(i)).catch(reject);
        if (u.connection === 'close') resolve();
      }),
    );
    await paired;
    const sock = open(state);
    await new Promise<void>((resolve, reject) =>
      sock.ev.on('connection.update', (u) => {
        if (u.connection === 'open') resolve();
        if (u.connection === 'close') reject(new Error('raw Baileys closed before open'));
      }),
    );
    sockets.push(sock);
  };
  close = async () => {
    for (const sock of sockets) sock.end(undefined);
  };
} else {
  const { loadConfig, startServer } = await import('@zapgate/server');
  const { baileysConnector } = await import('@zapgate/core/baileys');
  const { webhooks } = await import('@zapgate/plugin-webhooks');
  const devNull = createWriteStream('/dev/null');
  // `BENCH_LOG_DIR=/tmp/logs` keeps each gateway's log (info, JSON) in a file of its own
  const logs = process.env.BENCH_LOG_DIR
    ? createWriteStream(`${process.env.BENCH_LOG_DIR}/${args.node?.id ?? `memory-${args.phonePrefix}`}.log`)
    : devNull;
  const port = args.node ? await freePort() : 0;
  const config = loadConfig({
    env: {},
    overrides: {
      port,
      ...(args.node
        ? {
            nodeId: args.node.id,
            nodeUrl: `http://127.0.0.1:${port}`,
            leaseMs: args.node.leaseMs,
            heartbeatMs: args.node.heartbeatMs,
          }
        : {}),
      host: '127.0.0.1',
      adminKey: args.adminKey,
      dataDir: args.dataDir,
      logFormat: 'json',
      ...(args.databaseUrl ? { databaseUrl: args.databaseUrl } : {}),
    },
  });
  const server = await startServer(config, {
    connector: baileysConnector(simConfig),
    plugins: [webhooks()],
    out: devNull,
    logDestination: logs,
  });
  const auth = { authorization: `Bearer ${args.adminKey}` };
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await server.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    return res.json() as Record<string, unknown>;
  };
  let lastQrAnswer = '';
  const poll = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 120_000;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`timed out pairing a session (last QR answer: ${lastQrAnswer})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  pair = async (i) => {
    const created = await api('POST', '/v1/sessions', { name: `mem-${args.phonePrefix}-${i}` });
    const id = created.id as string;
    if (typeof id !== 'string') throw new Error(`create: ${JSON.stringify(created)}`);
    const connect = await server.app.inject({
      method: 'POST',
      url: `/v1/sessions/${id}/connect`,
      headers: auth,
    });
    if (connect.statusCode >= 300) throw new Error(`connect: ${connect.statusCode} ${connect.body}`);
    let qr = '';
    await poll(async () => {
      const res = await server.app.inject({ url: `/v1/sessions/${id}/qr`, headers: auth });
      qr = res.statusCode === 200 ? (res.json().qr as string) : '';
      lastQrAnswer = `${res.statusCode} ${res.body}`;
      return qr !== '';
    });
    await scan(qr, phoneOf(i));
    await poll(async () => (await api('GET', `/v1/sessions/${id}`)).status === 'connected');
  };
  close = () => server.close();
  if (args.node) {
    const id = args.node.id;
    owned = async () => (await server.app.gateway.cluster.nodes()).find((n) => n.id === id)?.sessions ?? 0;
  }
}

process.on('message', async (message: string | { pair?: number }) => {
  if (message === 'measure')
    send({ memory: { ...(await measure()), ...(owned ? { owned: await owned() } : {}) } });
  if (typeof message === 'object' && message.pair !== undefined) {
    const t0 = performance.now();
    await pool(message.pair, args.concurrency, (i) => pair(i));
    send({ paired: message.pair, seconds: (performance.now() - t0) / 1000 });
  }
  if (message === 'close') {
    await close();
    process.exit(0);
  }
});
send({ ready: true });

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
