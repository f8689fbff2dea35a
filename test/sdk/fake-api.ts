import type { ChannelLike, LockManagerLike, StorageLike } from '#api-client';

const problem = (status: number, code: string, extra: object = {}) =>
  new Response(JSON.stringify({ type: `tag:test:${code}`, title: code, status, detail: code, code, ...extra }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });

const json = (body: object) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

/**
 * The API as the SDK sees it, in one object: rotation with reuse detection, access tokens that
 * expire on the (mocked) clock, the refresh cookie as a browser's jar would hold it, and a second
 * factor for one account. It counts what the tests assert on.
 */
export class FakeApi {
  ttlSeconds = 900;
  refreshes = 0;
  /** Every request, in order: method, path and the headers the SDK set. */
  readonly requests: { path: string; authorization: string | null; requestedWith: string | null; credentials: string; body: string }[] = [];
  /** The browser's cookie jar for the API (cookie mode). */
  cookie: string | undefined;
  ended = false;
  /** Makes the server call every access token expired, whatever the clock says. */
  expireAllAccessTokens = false;
  /** How far the server's clock is ahead of the client's. */
  clockAheadMs = 0;
  private serial = 0;
  private mfaSerial = 0;
  /** The one `mfa_token` the server takes: the last one issued, until a verify spends it. */
  private liveMfaToken: string | undefined;
  private liveRefreshToken: string | undefined;
  private verifyRefusal: { status: number; code: string; endsToken: boolean } | undefined;
  private readonly accessTokens = new Map<string, number>();

  fetch = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const body = await request.text();
    const authorization = request.headers.get('Authorization');
    this.requests.push({
      path,
      authorization,
      requestedWith: request.headers.get('X-Requested-With'),
      credentials: request.credentials,
      body,
    });
    const bearer = authorization?.replace(/^Bearer /, '');
    switch (`${request.method} ${path}`) {
      case 'POST /auth/login': {
        const form = new URLSearchParams(body);
        if (form.get('username') === 'mfa@example.com') {
          this.mfaSerial += 1;
          this.liveMfaToken = `mfa-token-${this.mfaSerial}`;
          return problem(403, 'mfa_required', { mfa_token: this.liveMfaToken });
        }
        if (form.get('password') !== 'right') return problem(401, 'invalid_credentials');
        return this.issue(form.get('refresh_token_transport') === 'cookie');
      }
      case 'POST /auth/mfa/verify': {
        const { mfa_token, code, refresh_token_transport } = JSON.parse(body) as Record<string, string>;
        if (mfa_token === undefined || mfa_token !== this.liveMfaToken) return problem(401, 'mfa_token_invalid');
        const refusal = this.verifyRefusal;
        this.verifyRefusal = undefined;
        if (refusal) {
          if (refusal.endsToken) this.liveMfaToken = undefined;
          return problem(refusal.status, refusal.code);
        }
        if (code !== '123456') return problem(401, 'invalid_mfa_code');
        this.liveMfaToken = undefined;
        return this.issue(refresh_token_transport === 'cookie');
      }
      case 'POST /auth/refresh': {
        const sent = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
        const fromCookie = sent === undefined && request.credentials === 'include' ? this.cookie : undefined;
        const token = sent ?? fromCookie;
        if (token === undefined) return problem(422, 'validation_failed');
        if (this.ended || token !== this.liveRefreshToken) {
          // A spent token presented again: theft, the session ends.
          this.ended = true;
          return problem(401, 'invalid_refresh_token');
        }
        this.refreshes += 1;
        return this.issue(fromCookie !== undefined);
      }
      case 'POST /auth/logout':
        if (!bearer && !(request.credentials === 'include' && this.cookie)) return problem(401, 'authentication_required');
        this.ended = true;
        this.cookie = undefined;
        return new Response(null, { status: 204 });
      case 'POST /auth/logout-all':
        this.ended = true;
        return new Response(null, { status: 204 });
      case 'GET /users/me': {
        const expiresAt = bearer === undefined ? undefined : this.accessTokens.get(bearer);
        if (expiresAt === undefined) return problem(401, 'authentication_required');
        if (this.ended) return problem(401, 'session_ended');
        if (this.expireAllAccessTokens || Date.now() + this.clockAheadMs >= expiresAt) return problem(401, 'token_expired');
        return json({ email: 'ada@example.com', token: bearer });
      }
      default:
        return problem(404, 'not_found');
    }
  };

  /** Lets the pending `mfa_token` expire, as 5 minutes or 5 wrong codes would. */
  expireMfaToken(): void {
    this.liveMfaToken = undefined;
  }

  /**
   * Refuses the next verify of the live `mfa_token` with this problem. `endsToken`: the server takes
   * that token no more (the account deactivated or its password changed between the two steps, so
   * the right code spent it and no session started); else it stays live (a limit: 429, `mfa_locked`).
   */
  refuseNextVerify(status: number, code: string, endsToken: boolean): void {
    this.verifyRefusal = { status, code, endsToken };
  }

  /** Signs a session out on the server, as an admin or another device would. */
  endSession(): void {
    this.ended = true;
  }

  private issue(inCookie: boolean): Response {
    this.serial += 1;
    const accessToken = `at-${this.serial}`;
    this.accessTokens.set(accessToken, Date.now() + this.ttlSeconds * 1000);
    this.liveRefreshToken = `rt-${this.serial}`;
    this.ended = false;
    if (inCookie) this.cookie = this.liveRefreshToken;
    return json({
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.ttlSeconds,
      ...(inCookie ? {} : { refresh_token: this.liveRefreshToken }),
    });
  }
}

/** One lock shared by the "tabs" of a test, granted in request order as Web Locks does. */
export function sharedLock(): LockManagerLike & { grants: number } {
  let tail: Promise<unknown> = Promise.resolve();
  const lock = {
    grants: 0,
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(() => {
        lock.grants += 1;
        return callback();
      });
      tail = run.catch(() => undefined);
      return run;
    },
  };
  return lock;
}

/** The BroadcastChannel of a test's tabs: a message reaches every other channel a microtask later, unless `drop` says it is lost. */
export class ChannelHub {
  drop: (message: { type: string }) => boolean = () => false;
  private readonly channels = new Set<FakeChannel>();

  channel(): ChannelLike {
    const channel = new FakeChannel(this);
    this.channels.add(channel);
    return channel;
  }

  deliver(from: FakeChannel, message: unknown): void {
    const copy = structuredClone(message) as { type: string };
    if (this.drop(copy)) return;
    for (const channel of this.channels) if (channel !== from) queueMicrotask(() => channel.receive(copy));
  }

  remove(channel: FakeChannel): void {
    this.channels.delete(channel);
  }
}

class FakeChannel implements ChannelLike {
  private readonly listeners: ((event: { data: unknown }) => void)[] = [];

  constructor(private readonly hub: ChannelHub) {}

  postMessage(message: unknown): void {
    this.hub.deliver(this, message);
  }

  addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.listeners.push(listener);
  }

  receive(data: unknown): void {
    for (const listener of this.listeners) listener({ data });
  }

  close(): void {
    this.hub.remove(this);
  }
}

/** `localStorage` as a map. */
export class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** Lets every pending promise chain (fetches, locks, messages) run to its end; the mocked clock stands still. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
