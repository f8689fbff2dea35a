import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { MailService } from '../../src/mail/mail.service.js';
import { startTestApp, type TestApp } from './app.js';

export interface ReceivedMail {
  to: string;
  /** The sender's address and display name. */
  from: { address?: string; name?: string };
  subject: string;
  text: string;
  html: string;
}

/** Parses one raw RFC 5322 message (from SMTP or an `.eml` file) into what the tests look at. */
export async function parseMail(raw: Buffer | string, to?: string): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw);
  const header = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
  return {
    to: to ?? header?.value[0]?.address ?? '',
    from: { address: parsed.from?.value[0]?.address, name: parsed.from?.value[0]?.name },
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
  };
}

/**
 * The token a mail carries: read from the link in the text part, and required to be the same in
 * the HTML link and in the code shown for copying.
 */
export function tokenIn(mail: ReceivedMail, page: 'reset-password' | 'verify-email'): string {
  const link = new RegExp(`https?://\\S+/${page}#token=([A-Za-z0-9_-]+)`);
  const token = mail.text.match(link)?.[1];
  assert.ok(token, `no ${page} link in:\n${mail.text}`);
  assert.match(mail.html, new RegExp(`href="[^"]+/${page}#token=${token}"`));
  assert.ok(mail.text.includes(`code:\n${token}\n`), 'the code on a line of its own');
  return token;
}

/**
 * A real SMTP server on 127.0.0.1 and an ephemeral port, for the app to send to. It accepts every
 * message (no TLS, no auth) unless told to refuse the next ones, which it does after reading
 * them, with a 451 as a struggling server would.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Messages read and then refused. */
  readonly refused: ReceivedMail[] = [];
  private refusals = 0;

  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        parseMail(Buffer.concat(chunks), to).then((mail) => {
          if (this.refusals > 0) {
            this.refusals -= 1;
            this.refused.push(mail);
            // Servers often name the recipient in a refusal: the app must not log it.
            callback(Object.assign(new Error(`Mailbox <${to}> busy, try again later`), { responseCode: 451 }));
          } else {
            this.received.push(mail);
            callback();
          }
        }, callback);
      });
    },
  });
  url = '';

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    await new Promise<void>((resolve) => smtp.server.listen(0, '127.0.0.1', resolve));
    smtp.url = `smtp://127.0.0.1:${(smtp.server.server.address() as AddressInfo).port}`;
    return smtp;
  }

  /** Refuse the next `count` messages (after reading them). */
  refuseNext(count: number): void {
    this.refusals = count;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to === address);
  }

  clear(): void {
    this.received.length = 0;
    this.refused.length = 0;
    this.refusals = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * An app that sends its mail to a test SMTP server, both started for the enclosing `describe`;
 * after each test the queue is drained, the tables emptied and the received mail cleared.
 * (The app closes first: the SMTP server's close waits for connections still open.)
 */
export function appWithSmtp(env: Record<string, string> = {}): { t: TestApp; smtp: TestSmtpServer; mail: MailService } {
  const ctx = {} as { t: TestApp; smtp: TestSmtpServer; mail: MailService };
  before(async () => {
    ctx.smtp = await TestSmtpServer.start();
    ctx.t = await startTestApp({ SMTP_URL: ctx.smtp.url, ...env });
    ctx.mail = ctx.t.app.get(MailService);
  });
  after(async () => {
    await ctx.t.close();
    await ctx.smtp.close();
  });
  afterEach(async () => {
    await ctx.mail.idle();
    await ctx.t.reset();
    ctx.smtp.clear();
  });
  return ctx;
}
