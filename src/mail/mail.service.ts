import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { mailConfig, type MailConfig } from '../config/mail.config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What a log line may say about a message: never its address, body, link or token. */
export interface MailContext {
  kind: string;
  userId: number;
  /** Strings to blank out of any error text before it is logged (the message's token). */
  secrets?: string[];
}

/** Attempts per message, and the wait before each retry. */
export const RETRY_DELAYS_MS = [1_000, 4_000];
/** Messages waiting or in flight; past this, new ones are dropped (and logged) rather than piling up. */
const MAX_PENDING = 1_000;
/** How long shutdown waits for the queue before dropping what is left. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Outgoing mail, off the request path: `send` queues a message and returns at once; delivery is
 * retried a few times with growing pauses, and a message that still fails is logged (kind, user
 * id, error code) and dropped, never surfacing in an HTTP response. SMTP (pooled connections)
 * when `SMTP_URL` is set; otherwise each message is written as an `.eml` file under
 * `DATA_DIR/outbox`.
 *
 * The queue lives in this process: a crash loses what is pending, and a shutdown waits a few
 * seconds for it. Every message it carries can be asked for again (a new reset request, a resend
 * or the next login of an unverified account), and a lost "password changed" notice does not undo
 * the change, so a durable outbox table and its poller would buy little.
 */
@Injectable()
export class MailService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter;
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    this.transport = config.smtpUrl
      ? createTransport(
          { url: config.smtpUrl, pool: true, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
          { from: config.from },
        )
      : createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from: config.from });
  }

  onApplicationBootstrap(): void {
    if (!this.config.smtpUrl && this.app.nodeEnv === 'production') {
      this.logger.warn(`SMTP_URL is not set: mails (with their reset and verification links) are written to ${this.config.outboxDir}`);
    }
  }

  /** Queues `mail`; returns at once and never throws. */
  send(mail: OutgoingMail, context: MailContext): void {
    if (this.stopping.signal.aborted || this.pending.size >= MAX_PENDING) {
      this.logger.error({ event: 'mail_dropped', kind: context.kind, userId: context.userId, pending: this.pending.size }, 'mail_dropped');
      return;
    }
    const job: Promise<void> = this.deliver(mail, context).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Resolves once every queued message is delivered or given up on. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    const grace = sleep(SHUTDOWN_GRACE_MS, undefined, { ref: false });
    await Promise.race([this.idle(), grace]);
    this.stopping.abort();
    await this.idle();
    this.transport.close();
  }

  private async deliver(mail: OutgoingMail, context: MailContext): Promise<void> {
    // Nothing of the sending runs before the response is on its way.
    await nextTurn();
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Shutdown aborts a delivery in progress: a stalled SMTP server cannot hold the process.
        const info = (await this.transport.sendMail({ ...mail, signal: this.stopping.signal })) as { message?: Buffer };
        if (!this.config.smtpUrl) await this.writeToOutbox(info.message!);
        this.logger.log({ event: 'mail_sent', kind: context.kind, userId: context.userId, attempt }, 'mail_sent');
        return;
      } catch (error) {
        const failure = { kind: context.kind, userId: context.userId, attempt, ...describe(error, [mail.to, ...(context.secrets ?? [])]) };
        const delay = RETRY_DELAYS_MS[attempt - 1];
        if (delay === undefined || this.stopping.signal.aborted) {
          this.logger.error({ event: 'mail_failed', ...failure }, 'mail_failed');
          return;
        }
        this.logger.warn({ event: 'mail_retry', ...failure, retryInMs: delay }, 'mail_retry');
        try {
          await sleep(delay, undefined, { signal: this.stopping.signal });
        } catch {
          this.logger.error({ event: 'mail_failed', ...failure, reason: 'shutdown' }, 'mail_failed');
          return;
        }
      }
    }
  }

  private async writeToOutbox(message: Buffer): Promise<void> {
    // The files carry live tokens: readable by the service's user only.
    await mkdir(this.config.outboxDir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    await writeFile(join(this.config.outboxDir, name), message, { mode: 0o600, flag: 'wx' });
  }
}

/** The error's code and text, with the recipient and any secret blanked out. */
function describe(error: unknown, secrets: string[]): Record<string, string | number | undefined> {
  const e = error as { code?: string; responseCode?: number; command?: string; message?: string };
  let message = String(e?.message ?? error);
  for (const secret of secrets) if (secret) message = message.split(secret).join('[redacted]');
  return { code: e?.code, responseCode: e?.responseCode, command: e?.command, error: message.slice(0, 300) };
}
