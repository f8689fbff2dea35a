/** What the session needs of the Web Locks API (`navigator.locks`): run `callback` holding `name`. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** What the session needs of a `BroadcastChannel`. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** What the session needs of `localStorage`. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * An access token as the tabs share it. `generation` orders the pairs: each sign-in or refresh,
 * in whichever tab, takes the next number, so a tab can tell a newer pair from its own.
 */
export interface SharedPair {
  accessToken: string;
  /** `Date.now()` when it expires, and how long it was valid: the refresh is planned from both. */
  expiresAt: number;
  lifetimeMs: number;
  generation: number;
}

type TabMessage = { type: 'pair'; pair: SharedPair } | { type: 'hello' } | { type: 'signed_out'; code: string };

export interface TabHandlers {
  /** Another tab's new pair. */
  pair(pair: SharedPair): void;
  /** Another tab signed out, or had its refresh refused. */
  signedOut(code: string): void;
  /** This tab's live pair, for a tab that asks. */
  current(): SharedPair | undefined;
}

/** One refresh at a time within this process, in call order (Node, or a browser without Web Locks). */
export function inProcessLock(): LockManagerLike {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(callback, callback);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * The tabs of one browser, signed in to one API: a `BroadcastChannel` carries new pairs and
 * sign-outs, and `localStorage` holds the newest pair's generation (a number, nothing secret), which
 * a tab reads while it holds the refresh lock. Messages may arrive after the lock changed hands,
 * so a tab that finds a newer generation asks the others for that pair instead of refreshing again.
 * Without a channel (Node) it is a single tab.
 */
export class TabSync {
  private readonly waiters = new Set<(pair: SharedPair) => void>();
  private ownGeneration = 0;

  constructor(
    private readonly channel: ChannelLike | undefined,
    private readonly storage: StorageLike | undefined,
    private readonly key: string,
    private readonly handlers: TabHandlers,
  ) {
    channel?.addEventListener('message', ({ data }) => this.receive(data as TabMessage));
  }

  /** The newest generation any tab has issued. */
  latestGeneration(): number {
    const shared = Number(this.storage?.getItem(`${this.key}:generation`) ?? 0);
    return Math.max(this.ownGeneration, Number.isFinite(shared) ? shared : 0);
  }

  /** The generation for a pair this tab just received from the server. */
  nextGeneration(): number {
    this.ownGeneration = this.latestGeneration() + 1;
    this.storage?.setItem(`${this.key}:generation`, String(this.ownGeneration));
    return this.ownGeneration;
  }

  publish(pair: SharedPair): void {
    this.channel?.postMessage({ type: 'pair', pair } satisfies TabMessage);
  }

  /**
   * Tells the other tabs, and records the sign-out with a generation of its own: a tab whose lock
   * comes before the message learns it there instead of spending a refresh token that is gone.
   */
  signedOut(code: string): void {
    const generation = this.nextGeneration();
    this.storage?.setItem(`${this.key}:signed_out`, JSON.stringify({ generation, code }));
    this.channel?.postMessage({ type: 'signed_out', code } satisfies TabMessage);
  }

  /** The reason of a sign-out some tab recorded after generation `after`, if any. */
  signedOutAfter(after: number): string | undefined {
    try {
      const record = JSON.parse(this.storage?.getItem(`${this.key}:signed_out`) ?? 'null') as {
        generation?: unknown;
        code?: unknown;
      } | null;
      return typeof record?.generation === 'number' && record.generation > after ? String(record.code) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A pair newer than `after` from another tab, or `undefined` when none comes within `timeoutMs`. */
  askPeers(after: number, timeoutMs: number): Promise<SharedPair | undefined> {
    const channel = this.channel;
    if (!channel) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (pair: SharedPair | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(pair);
      };
      const waiter = (pair: SharedPair) => {
        if (pair.generation > after) done(pair);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.waiters.add(waiter);
      channel.postMessage({ type: 'hello' } satisfies TabMessage);
    });
  }

  close(): void {
    this.channel?.close();
  }

  private receive(message: TabMessage): void {
    // Another script of the origin may use a channel of the same name.
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'pair') {
      this.ownGeneration = Math.max(this.ownGeneration, message.pair.generation);
      this.handlers.pair(message.pair);
      for (const waiter of [...this.waiters]) waiter(message.pair);
    } else if (message.type === 'hello') {
      const pair = this.handlers.current();
      if (pair) this.publish(pair);
    } else if (message.type === 'signed_out') {
      this.handlers.signedOut(message.code);
    }
  }
}
