// A webhook receiver in its own process (so its CPU is not the gateway's event loop). It
// answers 200 at once (or never, with `--dead`) and records, per request, the arrival time,
// the `webhook-id` header, the message waid and the path; the parent asks over IPC.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Row = [number, string | null, string | null, string];
const received: Row[] = [];
const send = (message: unknown) => process.send?.(message);
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    let waid: string | null = null;
    try {
      waid = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.data?.message?.waid ?? null;
    } catch {}
    const id = req.headers['webhook-id'];
    received.push([at, typeof id === 'string' ? id : null, waid, req.url ?? '/']);
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
process.on('message', (message) => {
  if (message === 'count') send({ count: received.length });
  if (message === 'report') send({ received });
  if (message === 'close') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
