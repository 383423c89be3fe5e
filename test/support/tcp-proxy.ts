// A TCP proxy for fault tests: forwards a local port to a target, and can be cut (every connection
// destroyed, the port closed: new connects get ECONNREFUSED) and restored on the same port.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port clients connect to; the same before and after a cut. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Whether connections are forwarded right now. */
  readonly open: boolean;
  /** Connections accepted since the proxy started. */
  readonly connections: number;
  /** Destroys every connection and stops listening: connects are refused until `restore()`. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Cuts and never restores. */
  close(): Promise<void>;
}

/** Starts a proxy on a free local port in front of `target` (e.g. `{ host: '127.0.0.1', port: 5432 }`). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let server: Server | undefined;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A peer reset is the point of this proxy: the other side sees its socket destroyed, nothing more.
    socket.on('error', () => socket.destroy());
  };

  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const next = createServer((client) => {
        connections++;
        const upstream = createConnection(target);
        track(client);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        resolve(next);
      });
    });

  const stop = async () => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  server = await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    get open() {
      return server !== undefined;
    },
    get connections() {
      return connections;
    },
    cut: stop,
    async restore() {
      if (!server) server = await listen(port);
    },
    close: stop,
  };
}
