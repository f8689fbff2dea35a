import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder between a client and the app that loses every answer: the request reaches the
 * server whole, and the client's connection is reset when the first bytes of the response come
 * back, so the server has done (and committed) the work while the client sees only a network error.
 */
export class LostAnswerProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.once('data', () => {
        client.resetAndDestroy();
        upstream.destroy();
      });
      client.on('close', () => upstream.destroy());
    });
  }

  static async start(target: { host: string; port: number }): Promise<LostAnswerProxy> {
    const proxy = new LostAnswerProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  /** The proxy's base URL, to send requests through. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
