// A closed-loop load client in Node, for the login phases wrk cannot drive: a login with a second
// factor needs a TOTP code worked out between its two requests, and counting the audit rows a
// storm of failed logins writes needs every attempt answered before the count. Used by the `mfa`
// and `failstorm` phases of bench/run.mjs; the plain login beside them goes through this client
// too, so their figures compare like with like.
import { setTimeout as sleep } from 'node:timers/promises';

/** One request with Node's fetch: its status and its JSON body (undefined when it has none). */
export async function request(port, method, path, { form, json, token } = {}) {
  const headers = {};
  let body;
  if (token) headers.authorization = `Bearer ${token}`;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  } else if (json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The password grant, as a form. */
export const passwordGrant = (port, email, password) =>
  request(port, 'POST', '/auth/login', { form: { grant_type: 'password', username: email, password } });

const percentile = (sorted, p) =>
  sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * `connections` workers, each running `attempt()` back to back for `seconds`; `attempt` returns
 * its outcome (a status, or a name) and may throw, which counts as the outcome `error`; it is
 * given what `before()` answered, whose wait is not timed (the mfa phase's free user). Workers
 * start nothing after the deadline, and the attempts then in flight are awaited, so the server
 * is left with no work of this run. As with wrk, the rate and the latencies are those of the
 * attempts finished by the deadline; `atDeadline()` runs at the deadline (the caller reads its
 * CPU counters there). `outcomes` counts every attempt, late ones included: all the server served.
 */
export async function drive({ connections, seconds, attempt, before = async () => undefined, atDeadline = async () => undefined }) {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies = [];
  const outcomes = {};
  let snapshot;
  const timer = sleep(seconds * 1000).then(async () => (snapshot = await atDeadline()));
  const worker = async () => {
    while (performance.now() < deadline) {
      const input = await before();
      const begun = performance.now();
      let outcome;
      try {
        outcome = String(await attempt(input));
      } catch (error) {
        outcome = 'error';
        outcomes.firstError ??= error.message;
      }
      const ended = performance.now();
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (ended <= deadline) latencies.push(ended - begun);
    }
  };
  await Promise.all([timer, ...Array.from({ length: connections }, worker)]);
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds, latencies, outcomes, atDeadline: snapshot };
}

/**
 * A `drive` result in the shape of a wrk phase's (requests/s, percentiles, CPU per request), given
 * the CPU the server, PostgreSQL and this client spent by the deadline. `expected` lists the
 * outcomes that are the phase's normal answers; any other counts in `errors`.
 */
export function summarise(run, { serverMs, postgresMs, clientMs }, expected) {
  const n = Math.max(run.requests, 1);
  const { firstError, ...counts } = run.outcomes;
  const errors = Object.entries(counts)
    .filter(([outcome]) => !expected.includes(outcome))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: run.requests,
    rps: run.requests / run.seconds,
    p50Ms: percentile(run.latencies, 50),
    p90Ms: percentile(run.latencies, 90),
    p99Ms: percentile(run.latencies, 99),
    maxMs: run.latencies.at(-1),
    outcomes: counts,
    errors,
    ...(firstError ? { firstError } : {}),
    client: 'node',
    cpuMsPerRequest: {
      server: serverMs / n,
      postgres: postgresMs / n,
      client: clientMs / n,
      total: (serverMs + postgresMs + clientMs) / n,
    },
  };
}

/** Two `drive` runs of the same kind as one (the halves of an A B A order). */
export function combine(a, b) {
  const latencies = [...a.latencies, ...b.latencies].sort((x, y) => x - y);
  const outcomes = { ...a.outcomes };
  for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = typeof v === 'number' ? (outcomes[k] ?? 0) + v : (outcomes[k] ?? v);
  return { requests: a.requests + b.requests, seconds: a.seconds + b.seconds, latencies, outcomes };
}
