import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `check` holds, for at most `ms`: for a server to reach a state, never a timing
 * assertion. `what` names the state in the failure (a function is called only then).
 */
export async function until(
  what: string | (() => string),
  check: () => boolean | Promise<boolean>,
  { ms = 20_000, every = 100 }: { ms?: number; every?: number } = {},
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${typeof what === 'function' ? what() : what}`);
    await sleep(every);
  }
}
