import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import pino from 'pino';
import { AppLogger, rootLoggerOptions } from '../common/logging.js';
import { type SecurityEvent, SecurityEventsService } from './security-events.service.js';

describe('SecurityEventsService', () => {
  // One root for the file, as the app's (redaction on): nestjs-pino keeps the first it is given for the process.
  const lines: Record<string, unknown>[] = [];
  const root = pino(rootLoggerOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line)) });
  Logger.overrideLogger(new AppLogger(root));
  const pick = ({ context, event, userId, sessionId, reason, msg, level }: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries({ context, event, userId, sessionId, reason, msg, level }).filter(([, value]) => value !== undefined),
    );

  it("writes one line through the app's logger with the Security context, the event and its fields", () => {
    lines.length = 0;
    new SecurityEventsService().record('login_succeeded', { userId: 7, sessionId: 9 });
    assert.deepEqual(lines.map(pick), [
      { context: 'Security', event: 'login_succeeded', userId: 7, sessionId: 9, msg: 'login_succeeded', level: 30 },
    ]);
  });

  it('may write at error level with a message for the operator, keeping the event as a field', () => {
    lines.length = 0;
    new SecurityEventsService().record(
      'admin_bootstrap_refused',
      { userId: 3, reason: 'not_verified' },
      { level: 'error', message: 'Do something' },
    );
    assert.deepEqual(lines.map(pick), [
      { context: 'Security', event: 'admin_bootstrap_refused', userId: 3, reason: 'not_verified', msg: 'Do something', level: 50 },
    ]);
  });

  it("follows the logger's level, and still reaches its subscribers until they unsubscribe", () => {
    lines.length = 0;
    root.level = 'warn';
    try {
      const events = new SecurityEventsService();
      const seen: SecurityEvent[] = [];
      const unsubscribe = events.subscribe((event) => seen.push(event));
      events.record('login_failed', { reason: 'unknown_email' });
      unsubscribe();
      events.record('password_changed', { userId: 1 });
      assert.deepEqual(lines, []);
      assert.deepEqual(seen, ['login_failed']);
    } finally {
      root.level = 'info';
    }
  });

  it("keeps each instance's subscribers to its own events", () => {
    const [one, other] = [new SecurityEventsService(), new SecurityEventsService()];
    const seen: SecurityEvent[] = [];
    one.subscribe((event) => seen.push(event));
    other.record('password_reset', { userId: 2 });
    assert.deepEqual(seen, []);
  });
});
