import createClient, { type Client } from 'openapi-fetch';
import type { AuthSession, AuthSessionOptions, RefreshTokenStorage, SignedOutEvent, SignInResult } from './auth-session.types.js';
import type { components, paths } from './schema.js';
import { browserDefaults, ENDED, MFA_STEP_ENDED, problemOf, type RefreshTokenStore, storeFor } from './session-parts.js';
import { type LockManagerLike, type SharedPair, TabSync } from './tab-sync.js';

export type * from './auth-session.types.js';
export type { ChannelLike, LockManagerLike, StorageLike } from './tab-sync.js';

type Token = components['schemas']['Token'];

/**
 * A signed-in user for a browser page or a Node process: signs in, keeps the access token in
 * memory, refreshes it shortly before it expires (one refresh at a time in the page, and across
 * the tabs of the browser), and signs out. See docs/frontend.md.
 */
export function createAuthSession(options: AuthSessionOptions): AuthSession {
  return new Session(options);
}

class Session implements AuthSession {
  readonly api: Client<paths>;
  private readonly baseUrl: string;
  private readonly mode: RefreshTokenStorage;
  private readonly leewayMs: number;
  private readonly handoverMs: number;
  private readonly send: (request: Request) => Promise<Response>;
  private readonly locks: LockManagerLike;
  private readonly lockName: string;
  private readonly tabs: TabSync;
  private readonly store: RefreshTokenStore;
  private readonly listeners = new Set<(event: SignedOutEvent) => void>();
  private pair: SharedPair | undefined;
  private mfaToken: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<SharedPair | undefined> | undefined;

  constructor(options: AuthSessionOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const name = options.name ?? `auth-session:${this.baseUrl}`;
    const defaults = browserDefaults(name);
    const storage = options.storage === null ? undefined : (options.storage ?? defaults.storage);
    this.mode = options.refreshTokenStorage ?? (typeof document !== 'undefined' ? 'cookie' : 'memory');
    this.leewayMs = (options.refreshLeewaySeconds ?? 30) * 1000;
    this.handoverMs = options.handoverTimeoutMs ?? 1000;
    this.send = options.fetch ?? ((request) => globalThis.fetch(request));
    this.locks = options.locks ?? defaults.locks;
    this.lockName = `${name}:refresh`;
    this.store = storeFor(this.mode, storage, `${name}:refresh_token`);
    const channel = options.channel === null ? undefined : (options.channel ?? defaults.channel);
    this.tabs = new TabSync(channel, storage, name, {
      pair: (pair) => this.adopt(pair),
      signedOut: (code) => this.end(code, false),
      current: () => this.pair,
    });
    this.api = createClient<paths>({ baseUrl: this.baseUrl, fetch: (request) => this.fetch(request) });
  }

  get signedIn(): boolean {
    return this.pair !== undefined;
  }

  get mfaPending(): boolean {
    return this.mfaToken !== undefined;
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    const form = new URLSearchParams({ grant_type: 'password', username: email, password });
    if (this.mode === 'cookie') form.set('refresh_token_transport', 'cookie');
    // A new sign-in starts over: the second step of an earlier one is dropped, whatever this one answers.
    this.mfaToken = undefined;
    return this.established(await this.post('/auth/login', form));
  }

  async verifyMfa(code: string): Promise<SignInResult> {
    const mfaToken = this.mfaToken;
    if (mfaToken === undefined) throw new Error('verifyMfa() completes a signIn() that answered mfa_required');
    const transport = this.mode === 'cookie' ? { refresh_token_transport: 'cookie' } : {};
    const result = await this.established(await this.post('/auth/mfa/verify', { mfa_token: mfaToken, code, ...transport }));
    // Only the token this request sent: a sign-in made while it was in flight has a step of its own.
    if (result.status === 'refused' && MFA_STEP_ENDED.has(result.problem.code) && this.mfaToken === mfaToken) this.mfaToken = undefined;
    return result;
  }

  async restore(): Promise<boolean> {
    if (this.pair) return true;
    if (this.mode === 'memory' || (this.mode === 'localStorage' && this.store.read() === undefined)) return false;
    const peer = await this.tabs.askPeers(0, Math.min(this.handoverMs, 250));
    if (peer) this.adopt(peer);
    else await this.refresh(0, false);
    return this.pair !== undefined;
  }

  async accessToken(): Promise<string | undefined> {
    const pair = this.pair;
    if (pair && Date.now() >= pair.expiresAt) return (await this.refresh(pair.generation))?.accessToken;
    return pair?.accessToken;
  }

  fetch = async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const token = await this.accessToken();
    const sent = this.pair;
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    const response = await this.send(request);
    if (!sent || (response.status !== 401 && response.status !== 403)) return response;
    const { code } = await problemOf(response);
    if (response.status === 401 && code === 'token_expired') {
      const next = await this.refresh(sent.generation);
      if (!next) return response;
      retry.headers.set('Authorization', `Bearer ${next.accessToken}`);
      return this.send(retry);
    }
    if (ENDED.has(code) && this.pair === sent) this.end(code, true);
    return response;
  };

  async signOut(): Promise<void> {
    if (!this.pair && this.mode === 'localStorage' && this.store.read() !== undefined) await this.refresh(0, false);
    // Without an access token (a reload in cookie mode), the cookie alone ends the session.
    await this.post('/auth/logout', undefined, this.pair?.accessToken).catch(() => undefined);
    this.end('signed_out', true);
  }

  async signOutEverywhere(): Promise<void> {
    const token = await this.accessToken();
    if (token) {
      const response = await this.post('/auth/logout-all', undefined, token);
      if (!response.ok && response.status !== 401) throw new Error(`logout-all failed: ${(await problemOf(response)).detail}`);
    }
    this.end('signed_out', true);
  }

  onSignedOut(listener: (event: SignedOutEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearTimeout(this.timer);
    this.tabs.close();
    this.listeners.clear();
  }

  private post(path: string, body: URLSearchParams | object | undefined, accessToken?: string): Promise<Response> {
    // X-Requested-With: the API refuses cookie use without it (its cross-site check).
    const headers = new Headers({ 'X-Requested-With': 'fetch' });
    if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`);
    let payload: string | null = null;
    if (body instanceof URLSearchParams) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
      payload = body.toString();
    } else if (body) {
      headers.set('Content-Type', 'application/json');
      payload = JSON.stringify(body);
    }
    const credentials = this.mode === 'cookie' ? 'include' : 'same-origin';
    return this.send(new Request(`${this.baseUrl}${path}`, { method: 'POST', headers, body: payload, credentials }));
  }

  /** A sign-in's answer: a pair, the second factor to ask for, or a refusal. */
  private async established(response: Response): Promise<SignInResult> {
    if (response.ok) {
      this.mfaToken = undefined;
      this.accept((await response.json()) as Token);
      return { status: 'signed_in' };
    }
    const problem = await problemOf(response);
    if (problem.code === 'mfa_required' && typeof problem.mfa_token === 'string') {
      this.mfaToken = problem.mfa_token;
      return { status: 'mfa_required' };
    }
    return { status: 'refused', problem };
  }

  /** A pair fresh from the server: kept, planned for refresh, and handed to the other tabs. */
  private accept(token: Token): SharedPair {
    this.store.save(token.refresh_token);
    const lifetimeMs = token.expires_in * 1000;
    const pair = {
      accessToken: token.access_token,
      expiresAt: Date.now() + lifetimeMs,
      lifetimeMs,
      generation: this.tabs.nextGeneration(),
    };
    this.adopt(pair, true);
    this.tabs.publish(pair);
    return pair;
  }

  /**
   * A pair handed over by another tab is refreshed here a little later than there: the tab that
   * fetched it refreshes first and hands the next pair over before this tab's turn comes. Tabs
   * that refreshed at the same moment would queue on the lock, and the second might not yet see
   * the first's generation (storage reaches other tabs asynchronously) and spend the cookie again.
   */
  private adopt(pair: SharedPair, fetchedHere = false): void {
    if (this.pair && pair.generation <= this.pair.generation) return;
    this.pair = pair;
    clearTimeout(this.timer);
    const lead = Math.min(this.leewayMs, pair.lifetimeMs / 2) - (fetchedHere ? 0 : Math.min(2 * this.handoverMs, pair.lifetimeMs / 4));
    const due = Math.max(0, pair.expiresAt - lead - Date.now());
    this.timer = setTimeout(() => void this.refresh(pair.generation).catch(() => undefined), due);
  }

  /**
   * One refresh at a time: callers in this tab share the one in flight, and the lock queues the
   * other tabs. `stale` is the generation the caller found wanting; a newer one means another
   * caller (or tab) already refreshed.
   */
  private refresh(stale: number, askPeers = true): Promise<SharedPair | undefined> {
    this.refreshing ??= this.locks
      .request(this.lockName, () => this.refreshHoldingLock(stale, askPeers))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshHoldingLock(stale: number, askPeers: boolean): Promise<SharedPair | undefined> {
    if (this.pair && this.pair.generation > stale) return this.pair;
    // Signed out meanwhile (another tab's refresh was refused, or it signed out).
    if (!this.pair && stale > 0) return undefined;
    const endedElsewhere = stale > 0 ? this.tabs.signedOutAfter(stale) : undefined;
    if (endedElsewhere !== undefined) {
      this.end(endedElsewhere, false);
      return undefined;
    }
    if (askPeers && this.tabs.latestGeneration() > stale) {
      const handed = await this.tabs.askPeers(stale, this.handoverMs);
      if (handed) {
        this.adopt(handed);
        return handed;
      }
    }
    const token = this.store.read();
    const response = await this.post('/auth/refresh', token === undefined ? {} : { refresh_token: token }).catch(() => undefined);
    // A network failure or an overloaded server ends nothing: the next request tries again.
    if (!response || response.status >= 500 || response.status === 429) return undefined;
    if (response.ok) return this.accept((await response.json()) as Token);
    const { code } = await problemOf(response);
    this.end(code, true);
    return undefined;
  }

  /** Signed out: forget the tokens, tell the other tabs (unless they told us), and the listeners once. */
  private end(code: string, tellTabs: boolean): void {
    const wasSignedIn = this.pair !== undefined || this.store.read() !== undefined;
    clearTimeout(this.timer);
    this.pair = undefined;
    this.mfaToken = undefined;
    this.store.clear();
    if (!wasSignedIn) return;
    if (tellTabs) this.tabs.signedOut(code);
    for (const listener of [...this.listeners]) listener({ code });
  }
}
