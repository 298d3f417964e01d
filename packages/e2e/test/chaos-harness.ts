import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { verifyWebhook } from '@zapgate/sdk';
import type { Simulator } from '@zapgate/wa-sim';
import { waitFor } from './stack.js';

const serverDir = path.resolve(import.meta.dirname, '../../server');
const simPreload = path.resolve(import.meta.dirname, '../../wa-sim/src/preload.ts');

/**
 * How long a server child may take to answer `/health/ready`: tsx compiles the sources and
 * a busy 2-core machine makes that slow. Readiness is awaited, never a fixed sleep.
 */
export const startLimitMs = 240_000;

/** The reference server as a child process (the CLI from source), on Postgres, using the simulator. */
export class ServerProcess {
  child: ChildProcess | null = null;
  private output = '';
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    /** Nodes of one gateway share it. @default a new random key */
    readonly adminKey = `zga_${randomBytes(24).toString('base64url')}`,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the server wrote (for failure messages). */
  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--disable-proto=delete',
        '--conditions=@zapgate/source',
        '--import',
        'tsx',
        '--import',
        simPreload,
        'src/cli.ts',
        'start',
      ],
      {
        cwd: serverDir,
        env: {
          ...process.env,
          LOG_LEVEL: process.env.E2E_LOG ?? 'warn',
          ...this.env,
          PORT: String(this.port),
          HOST: '127.0.0.1',
          ZAPGATE_ADMIN_KEY: this.adminKey,
          ZAPGATE_DASHBOARD: 'false',
          ZAPGATE_DOCS: 'false',
          ZAPGATE_PRINT_QR: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout!.on('data', (chunk) => (this.output += chunk));
    child.stderr!.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    let gone = false;
    void this.exited.then(() => (gone = true));
    await waitFor(
      async () => {
        if (gone) throw new Error(`the server exited before it was ready\n${this.tail()}`);
        const res = await fetch(`${this.baseUrl}/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      startLimitMs,
      'the server child to be ready',
    ).catch((error) => {
      throw new Error(`${error.message}\n${this.tail()}`);
    });
  }

  /** SIGSTOP / SIGCONT: the process freezes (its sockets stay open) and later resumes. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  /** SIGKILL: no shutdown hook runs. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the JSON of any route
  async api<T = any>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Creates a session, connects it and has the simulated phone scan its QR. */
  async pair(sim: Simulator, name: string, phoneNumber: string): Promise<{ id: string; deviceJid: string }> {
    const created = await this.api('POST', '/v1/sessions', { name });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    const id = (created.body as { id: string }).id;
    // a node may answer 503 (the session between nodes): a client retries, anything else is a fault
    await waitFor(
      async () => {
        const res = await this.api('POST', `/v1/sessions/${id}/connect`);
        if (res.status === 503) return false;
        if (res.status >= 300) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
        return true;
      },
      60_000,
      'connect accepted',
    );
    const qr = await waitFor(
      async () => {
        const res = await this.api('GET', `/v1/sessions/${id}/qr`);
        if (res.status === 200) return (res.body as { qr: string }).qr;
        // what a timed-out wait reports: where the session is and what this node logged of it
        const session = (await this.api('GET', `/v1/sessions/${id}`)).body;
        throw new Error(
          `no QR: ${res.status} ${JSON.stringify(res.body)}; session ${JSON.stringify(session)}\n` +
            this.tail(100_000)
              .split('\n')
              .filter((line) => line.includes(id))
              .slice(-15)
              .join('\n'),
        );
      },
      60_000,
      'QR',
    );
    const paired = await sim.scanQr(qr, { phoneNumber });
    await waitFor(
      async () => (await this.api('GET', `/v1/sessions/${id}`)).body?.status === 'connected',
      60_000,
      'connected',
    );
    return { id, deviceJid: paired.deviceJid };
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One verified webhook request. */
export interface Delivery {
  webhookId: string;
  type: string;
  waid: string | null;
  body: string;
}

/** A Standard-Webhooks receiver: verifies every request with the subscription's secret. */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  readonly invalid: string[] = [];
  secret = '';
  private server: http.Server | null = null;
  url = '';

  async listen(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const event = verifyWebhook(body, req.headers, this.secret) as {
            type: string;
            data: { message?: { waid?: string } };
          };
          this.deliveries.push({
            webhookId: String(req.headers['webhook-id']),
            type: event.type,
            waid: event.data.message?.waid ?? null,
            body,
          });
          res.writeHead(204).end();
        } catch (error) {
          this.invalid.push(String(error));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Distinct WhatsApp ids announced by `message.received`. */
  receivedWaids(): Set<string> {
    return new Set(
      this.deliveries.filter((d) => d.type === 'message.received' && d.waid).map((d) => d.waid as string),
    );
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
