import assert from 'node:assert/strict';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.js';

/** Short enough that every cut-off below comes well inside the wait for it. */
const TIMEOUTS = { HTTP_HEADERS_TIMEOUT: '500ms', HTTP_REQUEST_TIMEOUT: '1s', HTTP_KEEP_ALIVE_TIMEOUT: '500ms' };
const WAIT_MS = 15_000;

describe('slow clients', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp(TIMEOUTS);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  after(() => t.close());

  /** Connects, lets `talk` use the socket, and resolves with all the server sent once the server has closed it. */
  const closedByServer = (talk: (socket: Socket) => void = () => {}) =>
    new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () => talk(socket));
      const giveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server kept the connection open for ${WAIT_MS} ms; it sent ${JSON.stringify(received)}`));
      }, WAIT_MS);
      socket.on('data', (chunk) => (received += chunk));
      socket.on('end', () => {
        clearTimeout(giveUp);
        resolve(received);
      });
      socket.on('error', (error) => {
        clearTimeout(giveUp);
        reject(error);
      });
    });

  const expectTimeoutProblem = (raw: string) => {
    assert.match(raw, /^HTTP\/1\.1 408 /);
    assert.match(raw, /Content-Type: application\/problem\+json/);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).status, 408);
  };

  it('closes a connection that never sends a byte', async () => {
    expectTimeoutProblem(await closedByServer());
  });

  it('closes a connection that trickles its headers', async () => {
    const raw = await closedByServer((socket) => {
      socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const drip = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(drip)), 100);
      socket.on('close', () => clearInterval(drip));
    });
    expectTimeoutProblem(raw);
  });

  it('closes a connection whose body stops short of its Content-Length', async () => {
    const raw = await closedByServer((socket) =>
      socket.write('POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":'),
    );
    expectTimeoutProblem(raw);
  });

  it('closes a kept-alive connection that stays idle after its response', async () => {
    const raw = await closedByServer((socket) => socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(raw, /^HTTP\/1\.1 200 /);
    assert.equal(raw.match(/HTTP\/1\.1 /g)?.length, 1, 'nothing after the response');
  });
});
