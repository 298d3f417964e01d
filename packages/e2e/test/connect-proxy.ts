import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

/** A local HTTP proxy that only tunnels (`CONNECT host:port`), recording every tunnel. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, to use as a session's `proxyUrl`. */
  url: string;
  /** The `host:port` of every CONNECT request, in order. */
  readonly connects: readonly string[];
  /** Plain (non-CONNECT) requests, answered 405: a client that does not tunnel shows up here. */
  readonly plainRequests: readonly string[];
  close(): Promise<void>;
}

/** Starts a CONNECT proxy on 127.0.0.1 (a random port). */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const plainRequests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    plainRequests.push(`${req.method} ${req.url}`);
    res.writeHead(405).end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const { hostname, port } = new URL(`http://${target}`);
    const upstream = net.connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    plainRequests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
