// The raw argon2id verification rate at the app's parameters and concurrency: no HTTP, no
// database, the same binding and the same thread pool. Prints one JSON line.
// Usage: node bench/argon2-rate.mjs [seconds] [concurrency]
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
// The app's own parameters, from the build: the default cost, which the benchmarked server runs with.
import { argon2Options } from '../dist/src/passwords/password-hasher.service.js';
import { DEFAULT_PASSWORD_HASH_COST } from '../dist/src/config/passwords.config.js';

const options = argon2Options(DEFAULT_PASSWORD_HASH_COST);

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? availableParallelism());

const password = 'bench-password-0123456789';
const hash = await argon2.hash(password, options);
// One verification per lane first, so the first measured ones do not pay for warming up.
await Promise.all(Array.from({ length: concurrency }, () => argon2.verify(hash, password)));

let done = 0;
const usage = process.resourceUsage();
const started = performance.now();
const deadline = started + seconds * 1000;
async function lane() {
  while (performance.now() < deadline) {
    if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
    done += 1;
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const elapsed = (performance.now() - started) / 1000;
const after = process.resourceUsage();
const cpuMs = (after.userCPUTime + after.systemCPUTime - usage.userCPUTime - usage.systemCPUTime) / 1000;
console.log(
  JSON.stringify({
    verifications: done,
    seconds: elapsed,
    perSecond: done / elapsed,
    cpuMsPerVerification: cpuMs / done,
    pageFaultsPerVerification: (after.minorPageFault - usage.minorPageFault) / done,
    concurrency,
    ...options,
  }),
);
