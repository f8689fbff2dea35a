import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { startTestApp, type TestApp } from './app.js';

export interface LostAnswer {
  status: number;
  body: unknown;
}

/** The answer once all of it has come: its head, then as many bytes as its Content-Length says. */
function completeAnswer(received: Buffer): LostAnswer | undefined {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = received.subarray(0, headEnd).toString('latin1');
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
  if (received.length < headEnd + 4 + length) return undefined;
  const body = received.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  return { status: Number(head.split(' ')[1]), body: body ? JSON.parse(body) : undefined };
}

/**
 * A TCP forwarder between a client and the app that loses every answer: the request reaches the
 * server whole, and the client's connection is reset when the first bytes of the response come
 * back, so the server has done (and committed) the work while the client sees only a network
 * error. The test can still read what the client never got.
 */
export class LostAnswerProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private last?: Promise<LostAnswer>;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      let received = Buffer.alloc(0);
      this.last = new Promise((resolve, reject) => {
        upstream.on('data', (chunk: Buffer) => {
          if (received.length === 0) client.resetAndDestroy();
          received = Buffer.concat([received, chunk]);
          const answer = completeAnswer(received);
          if (!answer) return;
          upstream.destroy();
          resolve(answer);
        });
        upstream.on('close', () => reject(new Error('the server closed the connection without a whole answer')));
      });
      this.last.catch(() => undefined);
      client.on('close', () => {
        if (received.length === 0) upstream.destroy();
      });
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

  /** The answer the last connection lost, once the server has sent all of it. */
  lastAnswer(): Promise<LostAnswer> {
    if (!this.last) throw new Error('nothing was sent through the proxy');
    return this.last;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The whole app listening on a port of its own, with a `LostAnswerProxy` in front of it. */
export async function startAppBehindLostAnswerProxy(): Promise<{ t: TestApp; proxy: LostAnswerProxy; close(): Promise<void> }> {
  const t = await startTestApp();
  await t.app.listen(0, '127.0.0.1');
  const proxy = await LostAnswerProxy.start({ host: '127.0.0.1', port: (t.app.getHttpServer().address() as AddressInfo).port });
  return {
    t,
    proxy,
    close: async () => {
      await proxy.close();
      await t.close();
    },
  };
}
