// node bench/compare.mjs A.json [A2.json …] -- B.json [B2.json …]
//
// Compares two builds measured by `npm run bench -- --rounds N`, each run's result file from
// bench/results/: every interleaved round of a phase pooled per build, the median app/baseline
// ratio of each, their difference (B − A, in points), and a 95 % interval for that difference by
// resampling the rounds (a bootstrap). On a shared machine one run's median moves by 10 points or
// more; a difference whose interval holds zero was not shown by these runs. The same for the
// baseline's server CPU per request over the app's, where the files have it.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 || split === args.length - 1) {
  console.error('usage: node bench/compare.mjs A.json [A2.json …] -- B.json [B2.json …]');
  process.exit(2);
}

/** Every round's ratios of each phase, over the files of one build. */
function pooled(files) {
  const phases = new Map();
  for (const file of files) {
    for (const p of JSON.parse(readFileSync(file, 'utf8')).phases) {
      if (!p.ratios) continue;
      const entry = phases.get(p.name) ?? { rates: [], cpu: [] };
      entry.rates.push(...p.ratios.filter((r) => r !== null && r !== undefined));
      entry.cpu.push(...(p.cpuRatios ?? []));
      phases.set(p.name, entry);
    }
  }
  return phases;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** A fixed-seed generator, so the same files always print the same interval. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The 2.5th and 97.5th percentiles of median(B) − median(A) over resamples of each set's rounds. */
function interval(a, b, resamples = 4000) {
  const random = generator(16);
  const resample = (xs) => xs.map(() => xs[Math.floor(random() * xs.length)]);
  const differences = Array.from({ length: resamples }, () => median(resample(b)) - median(resample(a))).sort((x, y) => x - y);
  return [differences[Math.floor(resamples * 0.025)], differences[Math.floor(resamples * 0.975)]];
}

const points = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
const percent = (x) => `${(x * 100).toFixed(1)} %`;

function rows(a, b, key) {
  const out = [];
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (!other || entry[key].length === 0 || other[key].length === 0) continue;
    const [low, high] = interval(entry[key], other[key]);
    out.push(
      `| ${name} | ${percent(median(entry[key]))} (${entry[key].length}) | ${percent(median(other[key]))} (${other[key].length}) | ` +
        `${points(median(other[key]) - median(entry[key]))} | ${points(low)} to ${points(high)} |`,
    );
  }
  return out;
}

const a = pooled(args.slice(0, split));
const b = pooled(args.slice(split + 1));
const header = (what) => [
  `| phase (${what}) | A median (rounds) | B median (rounds) | B − A, points | 95 % interval |`,
  '|:--|--:|--:|--:|--:|',
];
console.log([...header('app/base req/s'), ...rows(a, b, 'rates')].join('\n'));
const cpu = rows(a, b, 'cpu');
if (cpu.length > 0) console.log(['', ...header('base/app server CPU per request'), ...cpu].join('\n'));
