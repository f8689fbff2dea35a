import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { REDACTED_PATHS } from './logging.js';
import { logSecurityEventsTo, onSecurityEvent, securityEvent } from './security-events.js';

/** A pino logger like the app's root (redaction on), writing its lines into an array. */
function memoryLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

describe('security events', () => {
  it('are written to the bound logger as one line with the Security context, the event and its fields', () => {
    const { logger, lines } = memoryLogger();
    const unbind = logSecurityEventsTo(logger);
    try {
      securityEvent('login_succeeded', { userId: 7, sessionId: 9 });
    } finally {
      unbind();
    }
    assert.equal(lines.length, 1);
    assert.deepEqual(
      {
        context: lines[0].context,
        event: lines[0].event,
        userId: lines[0].userId,
        sessionId: lines[0].sessionId,
        msg: lines[0].msg,
        level: lines[0].level,
      },
      { context: 'Security', event: 'login_succeeded', userId: 7, sessionId: 9, msg: 'login_succeeded', level: 30 },
    );
  });

  it('may be written at error level with a message for the operator, keeping the event as a field', () => {
    const { logger, lines } = memoryLogger('error');
    const unbind = logSecurityEventsTo(logger);
    try {
      securityEvent('admin_bootstrap_refused', { userId: 3, reason: 'not_verified' }, { level: 'error', message: 'Do something' });
    } finally {
      unbind();
    }
    assert.deepEqual(
      lines.map(({ context, event, userId, reason, msg, level }) => ({ context, event, userId, reason, msg, level })),
      [{ context: 'Security', event: 'admin_bootstrap_refused', userId: 3, reason: 'not_verified', msg: 'Do something', level: 50 }],
    );
  });

  it("follow the bound logger's level", () => {
    const { logger, lines } = memoryLogger('warn');
    const unbind = logSecurityEventsTo(logger);
    securityEvent('login_failed', { reason: 'unknown_email' });
    unbind();
    assert.equal(lines.length, 0);
  });

  it('stop reaching a logger once unbound, and still reach the listeners', () => {
    const { logger, lines } = memoryLogger();
    logSecurityEventsTo(logger)();
    const seen: string[] = [];
    const unsubscribe = onSecurityEvent((event) => seen.push(event));
    securityEvent('password_changed', { userId: 1 });
    unsubscribe();
    assert.equal(lines.length, 0);
    assert.deepEqual(seen, ['password_changed']);
  });
});
