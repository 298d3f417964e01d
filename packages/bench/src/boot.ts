import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { type Figure, percentile, printFigures, until } from './report.js';
import { adminKey, type Backend, openStore, type Scratch, scratch } from './stack.js';

interface Sizes {
  /** Sessions stored as connected before the start. */
  sessions: number;
  /** Of them, sessions with one send left pending by the last stop. */
  pendingSends: number;
  /** How long a fake socket takes to open. */
  openDelayMs: number;
  /** How long statuses are watched after the last boot. */
  watchMs: number;
  /** Boots per figure (the median is printed). */
  runs: number;
}

interface Stats {
  sessions: number;
  connected: number;
  connecting: number;
  connectedWithoutSocket: number;
  sockets: number;
  maxConcurrentConnects: number;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server process being booted, timed from its spawn. */
interface Booting {
  child: ChildProcess;
  readyMs: number;
  firstAnswerMs: number;
  /** CPU time the process spent until it listened. */
  cpuMs: number;
  ask(message: string): Promise<Stats>;
  close(): Promise<void>;
}

/** The `zapgate` command as shipped (the esbuild bundle), or the same CLI unbundled (tsc's output). */
type Cli = 'cli' | 'cli-unbundled';
const serverDist = path.dirname(createRequire(import.meta.url).resolve('@zapgate/server'));
const cliPath: Record<Cli, string> = {
  cli: path.join(serverDist, 'bin', 'zapgate.js'),
  'cli-unbundled': path.join(serverDist, 'cli.js'),
};

/** `zapgate start` as a user runs it, with Baileys dialing a closed local port (no socket opens). */
function spawnCli(cli: Cli, port: number, db: Scratch | null): ChildProcess {
  return spawn(process.execPath, ['--disable-proto=delete', cliPath[cli], 'start'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ZAPGATE_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      WA_WEBSOCKET_URL: 'ws://127.0.0.1:9/ws/chat',
      ...(db?.url ? { DATABASE_URL: db.url } : { DATABASE_URL: '' }),
      ZAPGATE_DATA_DIR: db?.dataDir ?? '/tmp/zapgate-bench-boot',
    },
  });
}

async function boot(
  kind: 'zapgate' | 'bare' | Cli,
  db: Scratch | null,
  openDelayMs: number,
): Promise<Booting> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  if (kind === 'cli' || kind === 'cli-unbundled') {
    const child = spawnCli(kind, port, db);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const readyMs = await firstOk(base, '/health/ready', t0, child, kind);
    const firstAnswerMs = await firstOk(base, '/v1/sessions', t0, child, kind, {
      authorization: `Bearer ${adminKey}`,
    });
    return {
      child,
      readyMs,
      firstAnswerMs,
      cpuMs: Number.NaN,
      ask: () => Promise.reject(new Error('the CLI answers no IPC')),
      async close() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  const child = fork(
    new URL('./boot-child.js', import.meta.url),
    [
      JSON.stringify({
        kind,
        port,
        adminKey,
        dataDir: db?.dataDir ?? '/tmp',
        databaseUrl: db?.url,
        openDelayMs,
      }),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // BENCH_CHILD_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the booted servers
      execArgv: process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? [],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const listening = new Promise<number>((resolve) => {
    const on = (message: { listening?: { cpuMs: number } }) => {
      if (!message.listening) return;
      child.off('message', on);
      resolve(message.listening.cpuMs);
    };
    child.on('message', on);
  });
  const [readyMs, firstAnswerMs] = await Promise.all([
    firstOk(base, '/health/ready', t0, child, kind),
    firstOk(base, '/v1/sessions', t0, child, kind, { authorization: `Bearer ${adminKey}` }),
  ]);
  return {
    child,
    readyMs,
    firstAnswerMs,
    cpuMs: await listening,
    ask: (message) =>
      new Promise<Stats>((resolve) => {
        const on = (reply: { stats?: Stats }) => {
          if (!reply.stats) return;
          child.off('message', on);
          resolve(reply.stats);
        };
        child.on('message', on);
        child.send(message);
      }),
    async close() {
      child.send('close');
      await exited;
    },
  };
}

/** Time from `t0` to the first 2xx answer of `path`, polled every 5 ms. */
async function firstOk(
  base: string,
  path: string,
  t0: number,
  child: ChildProcess,
  kind: string,
  headers: Record<string, string> = {},
): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(`${base}${path}`, { headers });
      await res.arrayBuffer();
      if (res.ok) return performance.now() - t0;
    } catch {}
    if (child.exitCode !== null) throw new Error(`the ${kind} server exited during boot`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `sessions` stored as connected (as a stop leaves them), `pendingSends` of them with an interrupted send. */
async function seed(db: Scratch, sessions: number, pendingSends: number): Promise<void> {
  const store = openStore(db);
  await store.init();
  const rows = Array.from({ length: sessions }, (_, i) => ({
    id: randomUUID(),
    name: `boot-${i}`,
    status: 'connected',
    deviceJid: `1555${String(i).padStart(7, '0')}:1@s.whatsapp.net`,
    phoneNumber: `1555${String(i).padStart(7, '0')}`,
  }));
  for (let i = 0; i < rows.length; i += 500) await store.knex('sessions').insert(rows.slice(i, i + 500));
  const pending = rows.slice(0, pendingSends).map((s) => ({
    id: randomUUID(),
    sessionId: s.id,
    chatId: '15550002222@s.whatsapp.net',
    waid: randomUUID(),
    msgType: 'text',
    content: JSON.stringify({ text: 'interrupted' }),
    isFromMe: true,
    status: 'pending',
    timestamp: new Date(),
  }));
  for (let i = 0; i < pending.length; i += 500)
    await store.knex('messages').insert(pending.slice(i, i + 500));
  await store.close();
}

const median = (values: number[]) => percentile(values, 50);

/**
 * Benchmark 5: a server process started on a store with `sessions` sessions stored as
 * connected: time from spawn to `/health/ready` and to the first API answer, against a bare
 * Fastify app started the same way; then whether every status is true while sessions connect
 * in the background (none `connected` without a socket), and the connection concurrency.
 */
export async function bootBench(backend: Backend, sizes: Sizes): Promise<void> {
  // one unmeasured start first: the first process after a build reads cold files
  await (await boot('bare', null, 0)).close();
  const bare: number[] = [];
  const bareCpu: number[] = [];
  for (let i = 0; i < sizes.runs; i++) {
    const b = await boot('bare', null, 0);
    bare.push(b.readyMs);
    bareCpu.push(b.cpuMs);
    await b.close();
  }
  const empty: { ready: number[]; first: number[]; cpu: number[] } = { ready: [], first: [], cpu: [] };
  const full: { ready: number[]; first: number[]; cpu: number[] } = { ready: [], first: [], cpu: [] };
  let stats: Stats[] = [];
  const emptyDb = await scratch(backend);
  try {
    await seed(emptyDb, 0, 0);
    for (let i = 0; i < sizes.runs; i++) {
      const b = await boot('zapgate', emptyDb, sizes.openDelayMs);
      empty.ready.push(b.readyMs);
      empty.first.push(b.firstAnswerMs);
      empty.cpu.push(b.cpuMs);
      await b.close();
    }
  } finally {
    await emptyDb.drop();
  }
  let watchedMs = 0;
  for (let i = 0; i < sizes.runs; i++) {
    // a fresh store per run: every boot finds the sessions as a stop left them
    const db = await scratch(backend);
    try {
      await seed(db, sizes.sessions, sizes.pendingSends);
      const b = await boot('zapgate', db, sizes.openDelayMs);
      full.ready.push(b.readyMs);
      full.first.push(b.firstAnswerMs);
      full.cpu.push(b.cpuMs);
      if (i === sizes.runs - 1) {
        // statuses while the sessions connect in the background, sampled for a bounded time
        const from = performance.now();
        stats = [await b.ask('stats')];
        await until(
          async () => {
            stats.push(await b.ask('stats'));
            return performance.now() - from > sizes.watchMs;
          },
          sizes.watchMs + 60_000,
          250,
        );
        watchedMs = performance.now() - from;
      }
      await b.close();
    } finally {
      await db.drop();
    }
  }
  // the `zapgate` command itself, as shipped (bundled) and unbundled, alternated in this run;
  // its sessions dial a closed port, so this measures the start, not the connections
  const cli: Record<Cli, { empty: number[]; full: number[] }> = {
    cli: { empty: [], full: [] },
    'cli-unbundled': { empty: [], full: [] },
  };
  for (let i = 0; i < sizes.runs; i++) {
    for (const kind of ['cli-unbundled', 'cli'] as const) {
      // on PGlite the empty store only: seeding 1,000 sessions there per boot costs a minute
      for (const stored of backend === 'postgres' ? (['empty', 'full'] as const) : (['empty'] as const)) {
        const db = await scratch(backend);
        try {
          await seed(db, stored === 'full' ? sizes.sessions : 0, stored === 'full' ? sizes.pendingSends : 0);
          const b = await boot(kind, db, 0);
          cli[kind][stored].push(b.readyMs);
          await b.close();
        } finally {
          await db.drop();
        }
      }
    }
  }
  const lies = Math.max(...stats.map((s) => s.connectedWithoutSocket));
  const last = stats.at(-1) as Stats;
  const figures: Figure[] = [
    {
      name: 'empty store: spawn → /health/ready',
      value: median(empty.ready),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bare) },
      better: 'lower',
    },
    {
      name: 'empty store: spawn → first API answer',
      value: median(empty.first),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bare) },
      better: 'lower',
    },
    {
      name: `${sizes.sessions} stored sessions: spawn → /health/ready`,
      value: median(full.ready),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bare) },
      better: 'lower',
    },
    {
      name: `${sizes.sessions} stored sessions: spawn → first API answer`,
      value: median(full.first),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bare) },
      better: 'lower',
    },
    {
      name: 'empty store: CPU time until listening',
      value: median(empty.cpu),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bareCpu) },
      better: 'lower',
    },
    {
      name: `${sizes.sessions} stored sessions: CPU time until listening`,
      value: median(full.cpu),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bareCpu) },
      better: 'lower',
    },
    {
      name: '`zapgate start` (bundled, as shipped), empty store: spawn → /health/ready',
      value: median(cli.cli.empty),
      unit: 'ms',
      reference: { name: 'bare Fastify app', value: median(bare) },
      better: 'lower',
    },
    {
      name: '`zapgate start`, empty store: bundled vs unbundled',
      value: median(cli.cli.empty),
      unit: 'ms',
      reference: { name: 'the unbundled CLI (tsc output)', value: median(cli['cli-unbundled'].empty) },
      better: 'lower',
    },
    ...(cli.cli.full.length > 0
      ? ([
          {
            name: `\`zapgate start\` (bundled), ${sizes.sessions} stored sessions: spawn → /health/ready`,
            value: median(cli.cli.full),
            unit: 'ms',
            reference: { name: 'bare Fastify app', value: median(bare) },
            better: 'lower',
          },
          {
            name: `\`zapgate start\`, ${sizes.sessions} stored sessions: bundled vs unbundled`,
            value: median(cli.cli.full),
            unit: 'ms',
            reference: { name: 'the unbundled CLI (tsc output)', value: median(cli['cli-unbundled'].full) },
            better: 'lower',
          },
        ] satisfies Figure[])
      : []),
    {
      name: 'sessions shown connected without a socket (max over samples)',
      value: lies,
      unit: 'sessions',
      better: 'lower',
    },
    {
      name: `sessions connected in the first ${(watchedMs / 1000).toFixed(0)} s after ready`,
      value: last.connected,
      unit: 'sessions',
      better: 'higher',
    },
    {
      name: 'connection concurrency at boot (most connecting at once)',
      value: last.maxConcurrentConnects,
      unit: 'sockets',
      better: 'lower',
    },
  ];
  printFigures(`Boot with ${sizes.sessions} stored sessions (${backend})`, figures, [
    `median of ${sizes.runs} boots each; a server process per boot, timed from spawn (module loading included; Baileys loaded after listening as production does; sockets are a fake connector opening after ${sizes.openDelayMs} ms); ${sizes.pendingSends} interrupted sends failed at start`,
    `\`zapgate start\`: the CLI process itself (real Baileys connector, its sockets dialing a closed local port), bundled and unbundled alternated, median of ${sizes.runs} each${backend === 'postgres' ? '' : ' (empty store only)'}`,
    `statuses sampled every 250 ms while sessions connected: ${stats.length} samples; at the end ${last.connected}/${last.sessions} connected, ${last.sockets} sockets`,
  ]);
}
