import { connect, createServer, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/** What the client sends that the target must not see yet: `held` runs first, and the bytes go on once it settles. */
export interface Hold {
  matches(chunk: Buffer): boolean;
  held(chunk: Buffer): Promise<unknown>;
}

/**
 * A TCP forwarder that a test can cut and restore, standing in for a network failure between the
 * app and PostgreSQL or Redis. Cut: every open connection is reset and new ones are refused.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private hold?: Hold;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** In front of the server of a `postgresql://` URL, on a free port or on `port`. */
  static inFrontOf(databaseUrl: string, port = 0): Promise<TcpProxy> {
    const target = new URL(databaseUrl);
    return TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) }, port);
  }

  /** On a free port, or on `port` (where something that stood in for the target was). */
  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(port);
    return proxy;
  }

  /** `host:port` of the proxy in place of the target's, in a URL. */
  url(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      // Through a gate so that a held chunk, and whatever the client sends after it, waits in order.
      const gate = new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          const hold = this.hold;
          if (!hold?.matches(chunk)) return done(null, chunk);
          void hold.held(chunk).finally(() => done(null, chunk));
        },
      });
      client.pipe(gate).pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  /**
   * A target that stalls on what `hold` matches, on open connections too: until `hold.held`
   * settles, the client waits for its answer as on a server that has stopped answering. Undefined
   * lets everything through again.
   */
  holdWhat(hold: Hold | undefined): void {
    this.hold = hold;
  }

  /** Resets every connection through the proxy and refuses new ones until `restore`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
