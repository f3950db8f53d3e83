import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
const { simpleMarkdownBlocks } = await import('./dist/adapters/marked/simple-markdown-blocks.js');
const root = process.argv[2];
const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.md')).sort();
const docs = files.map((f) => matter(readFileSync(join(root, f), 'utf8'), {}).content);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); let ok = 0; for (const d of docs) if (simpleMarkdownBlocks(d)) ok++; console.log('scan', ok, (performance.now() - t).toFixed(0));
}
