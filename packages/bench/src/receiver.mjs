// A webhook receiver in its own process (so its CPU is not the gateway's event loop). It
// answers 200 at once and records, per request, the arrival time, the `webhook-id` header and
// the message waid; the parent asks for the record over IPC.
import http from 'node:http';

const received = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    let waid = null;
    try {
      waid = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.data?.message?.waid ?? null;
    } catch {}
    received.push([at, req.headers['webhook-id'] ?? null, waid, req.url]);
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'count') process.send({ count: received.length });
  if (message === 'report') process.send({ received });
  if (message === 'close') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
