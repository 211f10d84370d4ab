// A test reporter that prints, after the run, one line for every suite or test that was skipped
// and why ("Redis not reachable at ..."), so nothing a machine cannot run is dropped silently.
import path from 'node:path';

export default async function* skipSummary(source) {
  const skipped = [];
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined) {
      const reason = typeof event.data.skip === 'string' ? event.data.skip : 'skipped';
      const file = event.data.file ? path.relative(process.cwd(), event.data.file) : '';
      skipped.push(`skipped: ${reason} — ${event.data.name}${file ? ` (${file})` : ''}`);
    }
  }
  if (skipped.length > 0) yield `\n${skipped.join('\n')}\n`;
}
