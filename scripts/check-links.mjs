// Part of `npm run lint`: every relative link between the repository's Markdown files points at a
// file that exists, and every #anchor at a heading of it (GitHub's heading slugs).
import { readFileSync, existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join, normalize } from 'node:path';
const root = process.argv[2] ?? '.';
const files = execSync("git ls-files -co --exclude-standard '*.md'", { cwd: root })
  .toString()
  .trim()
  .split('\n')
  .filter((f) => !f.includes('node_modules'));
const stripCode = (s) => s.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, (m) => m.replace(/\]\(/g, '] ('));
function slugs(file) {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map();
  const out = new Set();
  for (const m of text.matchAll(/^#{1,6}\s+(.*)$/gm)) {
    let s = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n ? `${s}-${n}` : s);
  }
  return out;
}
let bad = 0,
  checked = 0;
for (const f of files) {
  const text = stripCode(readFileSync(join(root, f), 'utf8'));
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target) || target.startsWith('<')) continue;
    checked++;
    const [path, anchor] = target.split('#');
    const abs = path ? normalize(join(root, dirname(f), path)) : join(root, f);
    if (!existsSync(abs)) {
      console.log(`${f}: missing file ${target}`);
      bad++;
      continue;
    }
    if (anchor !== undefined) {
      if (statSync(abs).isDirectory() || !abs.endsWith('.md')) {
        console.log(`${f}: anchor on non-md ${target}`);
        bad++;
        continue;
      }
      if (!slugs(abs).has(anchor)) {
        console.log(`${f}: no heading for #${anchor} in ${path || f}`);
        bad++;
      }
    }
  }
}
console.log(`${checked} relative links checked, ${bad} broken`);
process.exit(bad ? 1 : 0);
