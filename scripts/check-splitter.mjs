#!/usr/bin/env node
// Checks the shortcuts of the load path against the libraries they stand in for, on whole corpora:
// every document's split (MarkedSectionSplitter.split: the simple scanner where it can read the
// document, else marked) must equal marked's alone (splitWithMarked), sections and links; and
// simpleFrontMatter must give what gray-matter gives wherever it answers. Exits 1 on a difference.
//
//   npm run build && node scripts/check-splitter.mjs [DIR ...]
//       (default: the Node.js API docs and the 10k synthetic corpus, generated if missing)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import matter from 'gray-matter';
import { NODE_DOCS } from '../test/harness/corpus.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { MarkedSectionSplitter } = await dist('adapters/marked/marked-section-splitter.js');
const { simpleMarkdownBlocks } = await dist('adapters/marked/simple-markdown-blocks.js');
const { simpleFrontMatter } = await dist('adapters/filesystem/simple-front-matter.js');

function defaultDirs() {
  const dirs = NODE_DOCS ? [NODE_DOCS] : [];
  const synthetic = join(ROOT, '.cache', 'corpora', '10000');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-corpus.mjs'), '--docs', '10000'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('gen-corpus failed');
  dirs.push(synthetic);
  return dirs;
}

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : defaultDirs();
const splitter = new MarkedSectionSplitter();
let failed = 0;
for (const dir of dirs) {
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.(md|mdx|markdown)$/i.test(f) && !f.split('/').some((p) => p.startsWith('.')))
    .sort();
  let simpleDocs = 0;
  let simpleMatter = 0;
  let sections = 0;
  let links = 0;
  const differ = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const parsed = matter(text, {});
    const expected = {
      content: parsed.content,
      ...(typeof parsed.data.title === 'string' ? { title: parsed.data.title } : {}),
    };
    const fm = simpleFrontMatter(text);
    if (fm) {
      simpleMatter++;
      if (!isDeepStrictEqual(fm, expected)) differ.push(`${f}: front matter differs from gray-matter`);
    }
    const doc = {
      id: f.replace(/\.(md|mdx|markdown)$/i, ''),
      path: f,
      title: expected.title,
      markdown: expected.content,
    };
    const a = splitter.split(doc);
    const b = splitter.splitWithMarked(doc);
    if (simpleMarkdownBlocks(doc.markdown)) simpleDocs++;
    sections += b.document.sections.length;
    links += b.links.length;
    if (!isDeepStrictEqual(a, b)) {
      const i = a.document.sections.findIndex((s, k) => !isDeepStrictEqual(s, b.document.sections[k]));
      const sa = a.document.sections[i];
      const sb = b.document.sections[i];
      const field =
        sa && sb ? Object.keys(sb).find((k) => !isDeepStrictEqual(sa[k], sb[k])) : 'links or count';
      differ.push(
        `${f}: section ${i} (${sb?.id ?? '-'}) differs in ${field}: ${JSON.stringify(sa?.[field])?.slice(0, 300)} vs marked ${JSON.stringify(sb?.[field])?.slice(0, 300)}`,
      );
    }
  }
  failed += differ.length;
  console.log(
    `${relative(process.cwd(), dir) || dir}: ${files.length} documents, ${sections} sections, ${links} links; ` +
      `simple scanner read ${simpleDocs} (marked the rest), simple front matter ${simpleMatter}; ` +
      `${differ.length ? `${differ.length} DIFFER` : 'all identical to marked / gray-matter'}`,
  );
  for (const d of differ.slice(0, 10)) console.log(`  ${d}`);
}
process.exit(failed ? 1 : 0);
