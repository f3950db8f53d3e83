#!/usr/bin/env node
// What a refresh costs on a large corpus (a script, not a timed test): ServeDocs.load() over a
// folder, then ServeDocs.refresh() after one document changed, in this process, from dist/. A
// refresh builds the new index beside the old one (the old keeps serving), reusing the sections
// of unchanged documents; this prints both times and the peak RSS after each, against V8's heap
// limit, so the "two indexes in memory at once" cost is a figure rather than a guess.
//
//   npm run build && node scripts/gen-corpus.mjs --docs 10000 \
//     && node --expose-gc scripts/bench-refresh.mjs .cache/corpora/10000
// (gen-corpus writes .cache/corpora/<N> by default; npm run bench:scale makes the same corpora.)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { assertBuildCurrent, ROOT } from '../test/harness/certdocs.mjs';

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  process.stderr.write('usage: node --expose-gc scripts/bench-refresh.mjs DIR   (a folder of Markdown)\n');
  process.exit(2);
}
try {
  assertBuildCurrent();
} catch (e) {
  process.stderr.write(`bench-refresh: ${e.message}\n`);
  process.exit(1);
}
await import('reflect-metadata');
const imp = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { ServeDocs } = await imp('domain/serve-docs.js');
const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
const { IndexTools } = await imp('domain/index-tools.js');
const { MarkedSectionSplitter } = await imp('adapters/marked/marked-section-splitter.js');
const { PorterStemmer } = await imp('adapters/stemmer/porter-stemmer.js');
const { FieldedBm25SearchEngine } = await imp('adapters/minisearch/fielded-bm25-search-engine.js');

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const clock = {
  now: () => new Date(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};
const source = new FsMarkdownDocSource(dir, quiet);
const load = source.load.bind(source);
let loads = 0;
// The second load (the refresh) sees one document changed, as a watched folder would.
source.load = async (...a) => {
  const docs = await load(...a);
  if (loads++ > 0 && docs.length > 7) docs[7] = { ...docs[7], markdown: `${docs[7].markdown}\n\nchanged\n` };
  return docs;
};
const peakMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
// The splitter, stemmer and search engine as src/app/container.ts wires them.
const tools = new IndexTools(new MarkedSectionSplitter(), new PorterStemmer(), new FieldedBm25SearchEngine());
const serve = new ServeDocs(source, clock, quiet, tools);
let t = performance.now();
const index = await serve.load();
const loadS = (performance.now() - t) / 1000;
const afterLoad = peakMB();
t = performance.now();
const { changed } = await serve.refresh();
const refreshS = (performance.now() - t) / 1000;
globalThis.gc?.();
const figures = {
  documents: index.documentCount,
  sections: index.sectionCount,
  heapLimitMB: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576),
  loadS: Number(loadS.toFixed(2)),
  peakRssAfterLoadMB: afterLoad,
  refreshS: Number(refreshS.toFixed(2)),
  refreshChangedIndex: changed,
  peakRssAfterRefreshMB: peakMB(),
  heapAfterGcMB: globalThis.gc ? Math.round(process.memoryUsage().heapUsed / 1048576) : null,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
