import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
const { MarkedSectionSplitter } = await import('./dist/adapters/marked/marked-section-splitter.js');
const { simpleMarkdownBlocks } = await import('./dist/adapters/marked/simple-markdown-blocks.js');
const root = process.argv[2];
const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.md')).sort();
const docs = files.map((f) => ({ id: f, path: f, markdown: matter(readFileSync(join(root, f), 'utf8'), {}).content }));
const s = new MarkedSectionSplitter();
for (let r = 0; r < 2; r++) {
  let t = performance.now(); for (const d of docs) s.split(d); const a = performance.now() - t;
  t = performance.now(); for (const d of docs) s.splitWithMarked(d); const b = performance.now() - t;
  console.log('split (simple+fallback)', a.toFixed(0), 'marked only', b.toFixed(0));
}
// refused samples
let shown = 0;
for (const d of docs) if (!simpleMarkdownBlocks(d.markdown) && shown++ < 3) console.log('REFUSED', d.id);
