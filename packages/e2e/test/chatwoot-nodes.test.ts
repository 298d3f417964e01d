import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bridgedSession,
  type ChatwootStack,
  conversationOf,
  conversationsOf,
  startChatwootStack,
} from './chatwoot-stack.js';
import { eventsOf, waitFor } from './stack.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerPath = fileURLToPath(new URL('./chatwoot-worker.ts', import.meta.url));

/** Starts a second gateway process on the stack's database; resolves once it runs. */
async function startWorker(stack: ChatwootStack): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@zapgate/source', workerPath], {
    cwd: repoRoot,
    env: {
      ...process.env,
      WORKER_DATABASE_URL: stack.databaseUrl,
      WORKER_DATA_DIR: stack.dataDir,
      WORKER_PUBLIC_URL: stack.publicUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return child;
}

async function stopWorker(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

describe('Chatwoot bridge on two gateway processes (Postgres)', () => {
  let stack: ChatwootStack;
  let worker: ChildProcess | undefined;
  let s: Awaited<ReturnType<typeof bridgedSession>>;

  beforeAll(async () => {
    stack = await startChatwootStack('postgres');
    // started before pairing: it runs jobs and consumers, and never opens the session's socket
    worker = await startWorker(stack);
    s = await bridgedSession(stack, 'nodes', '15556660001');
  });
  afterAll(async () => {
    await stopWorker(worker);
    await stack?.close();
  });
  afterEach(() => expect(stack.chatwoot.violations).toEqual([]));

  const sourcesIn = (conversationId: number) =>
    stack.chatwoot.messagesOf(conversationId).map((m) => m.sourceId);

  it('makes one conversation for 50 simultaneous first messages of a new contact, each message once, in order', async () => {
    const dave = stack.sim.contact('15556660002', { name: 'Dave' });
    const waids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => dave.sendText(s.session.deviceJid, `burst ${i}`)),
    );
    const conversation = await conversationOf(stack.chatwoot, dave.jid);
    await waitFor(
      () => waids.every((w) => sourcesIn(conversation.id).includes(`WAID:${w}`)),
      90_000,
      'all 50 in Chatwoot',
    );
    expect(conversationsOf(stack.chatwoot, dave.jid)).toHaveLength(1);
    const sources = sourcesIn(conversation.id);
    expect(sources).toHaveLength(50);
    expect(new Set(sources).size).toBe(50);
    // in the order the gateway received them (the event log's order)
    const received = (await eventsOf(stack.store, 'message.received', s.id))
      .map((e) => (e.data as { message: { chatId: string; waid: string } }).message)
      .filter((m) => m.chatId === dave.jid);
    expect(sources).toEqual(received.map((m) => `WAID:${m.waid}`));
  });

  it('bridges every message once when a gateway process is SIGKILLed mid-burst', async () => {
    const erin = stack.sim.contact('15556660003', { name: 'Erin' });
    // slow Chatwoot answers keep jobs in flight on both processes when the worker dies
    stack.chatwoot.faults.delay({ ms: 150 });
    const waids: string[] = [];
    for (let i = 0; i < 30; i += 1) waids.push(await erin.sendText(s.session.deviceJid, `crash ${i}`));
    const conversation = await conversationOf(stack.chatwoot, erin.jid);
    await waitFor(() => sourcesIn(conversation.id).length >= 5, 60_000, 'the burst under way');
    await stopWorker(worker, 'SIGKILL');
    stack.chatwoot.faults.clear();
    worker = await startWorker(stack);
    await waitFor(
      () => waids.every((w) => sourcesIn(conversation.id).includes(`WAID:${w}`)),
      120_000,
      'all 30 in Chatwoot after the crash',
    );
    const sources = sourcesIn(conversation.id);
    expect(sources).toHaveLength(30);
    expect(new Set(sources).size).toBe(30);
    expect(conversationsOf(stack.chatwoot, erin.jid)).toHaveLength(1);
  });
});
