import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createZapgateClient, type ZapgateClient } from '../src/index.js';

const frame = (id: string) =>
  `id: ${id}\nevent: session.status\ndata: ${JSON.stringify({ id, type: 'session.status', sessionId: null, occurredAt: '2026-01-01T00:00:00.000Z', data: {} })}\n\n`;

/** An SSE server that sends one event and then keeps every connection open forever. */
async function endlessStream() {
  const open = new Set<ServerResponse>();
  let closed = 0;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(frame(`01E${open.size}`));
    open.add(res);
    req.socket.on('close', () => {
      open.delete(res);
      closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    server,
    /** Resolves once the server has seen `n` connections close. */
    async closedAtLeast(n: number) {
      while (closed < n) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    get openConnections() {
      return open.size;
    },
  };
}

const servers: { server: ReturnType<typeof createServer> }[] = [];
afterEach(() => {
  for (const { server } of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function firstEventThen(zg: ZapgateClient, leave: 'break' | 'return' | 'throw') {
  const read = async () => {
    for await (const event of zg.events.stream()) {
      if (leave === 'break') break;
      if (leave === 'return') return event.id;
      throw new Error(`stop at ${event.id}`);
    }
    return 'broke';
  };
  return read().catch((error: Error) => error.message);
}

describe('leaving an event stream early', () => {
  for (const [leave, result] of [
    ['break', 'broke'],
    ['return', '01E0'],
    ['throw', 'stop at 01E0'],
  ] as const) {
    it(`closes the HTTP connection on ${leave}`, async () => {
      const sse = await endlessStream();
      servers.push(sse);
      const zg = createZapgateClient({ baseUrl: sse.baseUrl, apiKey: 'key' });
      expect(await firstEventThen(zg, leave)).toBe(result);
      await sse.closedAtLeast(1);
      expect(sse.openConnections).toBe(0);
    });
  }

  it('lets the process exit after a break (no open request keeps it alive)', async () => {
    const sse = await endlessStream();
    servers.push(sse);
    const script = fileURLToPath(new URL('./fixtures/break-stream.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, sse.baseUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(timer);
    expect({ code, signal, output }).toEqual({ code: 0, signal: null, output: 'got 01E0\nleft the loop\n' });
  });
});
