// Where a V8 CPU profile's time went: self time by origin (this project's code, each package,
// Node's internals, GC, idle) and the heaviest functions, as shares of the busy (non-idle) time.
// Used by `npm run bench -- --profile`; also runs alone: node bench/profile-summary.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** What a profile node's code belongs to: `src/…`, a package name, `node:…`, or V8's own entries. */
function origin(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(src\/[^?]+)/.exec(url);
  return own ? 'this project (src/)' : url;
}

export function summarise(profile, top = 20) {
  const intervals = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    intervals.set(profile.samples[i], (intervals.get(profile.samples[i]) ?? 0) + delta);
  }
  const byOrigin = new Map();
  const byFunction = new Map();
  let busy = 0;
  for (const node of profile.nodes) {
    const us = intervals.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const from = origin(url, functionName);
    byOrigin.set(from, (byOrigin.get(from) ?? 0) + us);
    if (from === '(idle)' || from === '(program)') continue;
    busy += us;
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const share = (us) => `${((us / busy) * 100).toFixed(1)} %`;
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return [
    `busy ${(busy / 1e6).toFixed(1)} s of CPU in the profile; self time by origin (idle and program excluded from the shares):`,
    ...sorted(byOrigin)
      .filter(([name]) => name !== '(idle)' && name !== '(program)')
      .slice(0, top)
      .map(([name, us]) => `  ${share(us).padStart(7)}  ${name}`),
    `heaviest functions by self time:`,
    ...sorted(byFunction)
      .slice(0, top)
      .map(([name, us]) => `  ${share(us).padStart(7)}  ${name}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(summarise(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
