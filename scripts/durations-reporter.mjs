// A test reporter for scripts/test.mjs: each file's total duration as JSON, so that the next run
// starts the slowest files first and the last minutes are not spent on one long file alone.
import { relative } from 'node:path';

export default async function* durations(source) {
  const byFile = {};
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      byFile[file] = (byFile[file] ?? 0) + Math.round(event.data.details.duration_ms);
    }
  }
  yield `${JSON.stringify(byFile, null, 1)}\n`;
}
