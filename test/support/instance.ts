import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { CHEAP_PASSWORD_HASH } from './app.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const START_WAIT_MS = 90_000;

/** The address the server's own start-up line announces: `Listening on http://localhost:PORT`. */
const LISTENING = /Listening on (http:\/\/[^\s"()]+)/;

/**
 * The built server (`dist/src/main.js`) as its own process, as an operator runs it: for tests of
 * several instances, outages and shutdown, which an in-process app cannot show.
 */
export class Instance {
  private output = '';
  private address: string | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    /** Removed on stop unless the caller passed its own `DATA_DIR`. */
    private readonly ownDataDir: string | undefined,
  ) {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        this.address ??= LISTENING.exec(this.output)?.[1].replace('//localhost:', '//127.0.0.1:');
      });
    }
    this.exited = once(child, 'exit').then(([code, signal]) => {
      // Said in the output, so an assertion that prints logs() shows how the process ended.
      if (signal) this.output += `\n[the process ended on ${String(signal)}]\n`;
      return code as number | null;
    });
  }

  /**
   * Starts an instance and waits until it is ready (or only live, for an instance expected not to
   * be ready, or not at all: 'spawned', for a start-up to watch); `env` adds to (or, as
   * `undefined`, removes from) the test's environment.
   */
  static async start(env: Record<string, string | undefined>, until: 'ready' | 'live' | 'spawned' = 'ready'): Promise<Instance> {
    const ownDataDir = env.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'auth-todos-instance-'));
    const childEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      // Production refuses the cheap cost, and hashes at its own.
      ...(env.NODE_ENV === 'production' ? { PASSWORD_HASH_MEMORY_KIB: undefined, PASSWORD_HASH_PASSES: undefined } : CHEAP_PASSWORD_HASH),
      HOST: '127.0.0.1',
      // The kernel picks a free port as the server binds it; the start-up line says which. A port
      // picked here and bound later could be taken in between by another test file's instance,
      // whose health checks would then answer for this one.
      PORT: '0',
      DATA_DIR: ownDataDir,
      ...env,
    })) {
      if (value !== undefined) childEnv[key] = value;
    }
    const child = spawn(process.execPath, [MAIN], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const instance = new Instance(child, ownDataDir);
    if (until !== 'spawned') await instance.waitFor(until);
    return instance;
  }

  /** Whether the server has announced its address (it listens once the database is reached). */
  get listening(): boolean {
    return this.address !== undefined;
  }

  /** The server's own address; only once it is listening. */
  get url(): string {
    if (this.address === undefined) throw new Error(`the instance is not listening yet:\n${this.output}`);
    return this.address;
  }

  get http(): supertest.Agent {
    return supertest.agent(this.url);
  }

  /** Everything the process printed so far (its JSON log lines). */
  logs(): string {
    return this.output;
  }

  /**
   * A bound on a start-up, not a measure of it: generous, since test files run in parallel and a
   * start on the embedded database (WebAssembly, then every migration) is CPU-bound.
   */
  private async waitFor(state: 'ready' | 'live'): Promise<void> {
    const deadline = Date.now() + START_WAIT_MS;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`instance exited with ${exitCode} before it was ${state}:\n${this.output}`);
      if (!this.listening) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      try {
        const res = await fetch(`${this.url}/health/${state}`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child.kill('SIGKILL');
    throw new Error(`instance not ${state} within ${START_WAIT_MS / 1000} s:\n${this.output}`);
  }

  /** Sends the signal and resolves with the exit code once the process has ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const code = await this.exited;
    if (this.ownDataDir) rmSync(this.ownDataDir, { recursive: true, force: true });
    return code;
  }

  /** Resolves with the exit code when the process ends by itself. */
  exitCode(): Promise<number | null> {
    return this.exited;
  }
}
