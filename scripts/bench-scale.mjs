#!/usr/bin/env node
// Scale benchmark of the docs index (a script, not a timed test): synthetic corpora of N docs.
//
//   npm run build && node scripts/bench-scale.mjs [--sizes 1000,10000,50000] [--queries 200]
//       [--warmup 20] [--persist-sizes 10000,50000] [--profile 10000] [--timeout 600]
//       [--max-rss-mb 8192] [--max-old-space MB] [--seed 1] [--no-snapshot | --dist DIR] [--json FILE]
//
// For each size, in a FRESH child process (so peak RSS is per size), over the real code path from
// dist/: FsMarkdownDocSource(root) + ServeDocs.load() with the real TtyProgressReporter (its
// log-line path, as when stderr is not a terminal). Wall time is split into read+parse
// (source.load: readdir, readFile, gray-matter) and DocIndex.buildAsync, itself split at the end of
// its own 'splitting' progress phase into split (Markdown into sections with marked) and engine
// (sort, FieldedBm25.add + heading terms, seal: CSR postings and the prefix/fuzzy dictionary, heading
// names, deprecated marks; yields to the event loop included); the rest of ServeDocs.load
// (fingerprint, log) is "other". Progress: how many lines the reporter logged and the longest
// stretch of the load without one. Then: peak RSS (resourceUsage().maxRSS), heap after build and
// after a full GC; then --queries deterministic queries (1–5 words from the corpus vocabulary, a
// quarter of them identifiers) through ServeDocs.search(limit 10) after --warmup others:
// p50/p99/max, and the mean of the engine's candidate search (DocIndex's private
// candidates(terms, 100) over the query's analyzed terms, as DocIndex.search calls it) and
// DocIndex.search. For --persist-sizes, whether a persisted index would make start-up of an
// unchanged corpus faster: the child v8.serializes what a restore needs (the documents and their
// sections, FieldedBm25's typed arrays and term list, DocIndex's heading terms/names and deprecated
// marks) to a file; a fresh child then times a stat-only freshness check of the folder, reading
// the file, v8.deserialize and rebuilding the Maps and the SearchableMap, installs them in a real
// DocIndex, checks its top 10 against the loaded index's, and reports its peak RSS; all against
// the full ServeDocs.load() of the same size. --profile N re-runs size N's load under
// `node --cpu-prof` and prints the top functions (self and inclusive) and time per package.
//
// Corpora come from scripts/gen-corpus.mjs (idempotent) in .cache/corpora/<N>/. dist/ is copied
// to .cache/bench-scale/dist first so a rebuild during the run cannot mix code versions.
// A child that runs past --timeout seconds or --max-rss-mb is killed and reported as such.
// Targets (10k docs): build < 10 s, peak RSS < 1 GB, search p99 < 20 ms: printed, not asserted.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import SearchableMap from 'minisearch/SearchableMap';
import { makeRng } from './gen-corpus.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const WORK = join(ROOT, '.cache', 'bench-scale');

const USAGE =
  'usage: node scripts/bench-scale.mjs [--sizes 1000,10000,50000] [--queries 200] [--warmup 20]\n' +
  '         [--persist-sizes 10000,50000] [--profile N] [--timeout S=600] [--max-rss-mb 8192]\n' +
  '         [--max-old-space MB] [--seed 1] [--no-snapshot | --dist DIR] [--json FILE]\n';

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        sizes: { type: 'string', default: '1000,10000,50000' },
        queries: { type: 'string', default: '200' },
        warmup: { type: 'string', default: '20' },
        'persist-sizes': { type: 'string', default: '10000,50000' },
        profile: { type: 'string' },
        timeout: { type: 'string', default: '600' },
        'max-rss-mb': { type: 'string', default: '8192' },
        'max-old-space': { type: 'string' },
        seed: { type: 'string', default: '1' },
        'no-snapshot': { type: 'boolean', default: false },
        json: { type: 'string' },
        // child mode (internal)
        child: { type: 'boolean', default: false },
        dir: { type: 'string' },
        dist: { type: 'string' },
        persist: { type: 'boolean', default: false },
        'load-only': { type: 'boolean', default: false },
        restore: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`bench-scale: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const MB = 1024 * 1024;
const fmt = (n, d = 1) => (n === undefined || n === null || Number.isNaN(n) ? '-' : n.toFixed(d));
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

if (values.child && values.restore) await restore();
else if (values.child) await child();
else await parent();

// ================================================================ child: one size, one process
async function child() {
  const dist = values.dist;
  const dir = values.dir;
  const out = {};
  const imp = (p) => import(pathToFileURL(join(dist, p)).href);
  await import('reflect-metadata');
  const { ServeDocs } = await imp('domain/serve-docs.js');
  const { DocIndex } = await imp('domain/doc-index.js');
  const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
  const { TtyProgressReporter } = await imp('adapters/terminal/tty-progress-reporter.js');
  const { tokenize, processTerm } = await imp('domain/text-analysis.js');

  const logger = {
    debug() {},
    info() {},
    warn(msg, fields) {
      process.stderr.write(`  [child] warn ${msg} ${JSON.stringify(fields)}\n`);
    },
    error(msg, fields) {
      this.warn(msg, fields);
    },
  };
  // Progress as the server shows it when stderr is not a terminal: the real reporter, its lines
  // recorded. `null`, not undefined, as the stream: undefined would take the default
  // (process.stderr when that is a TTY) and draw a bar instead of logging.
  const progressLines = [];
  let progressUpdates = 0;
  const progressLogger = {
    ...logger,
    info(msg, fields) {
      progressLines.push({ t: performance.now(), msg, fields });
      process.stderr.write(`  [child] ${msg} (${fields?.percent}%)\n`);
    },
  };
  const ttyReporter = new TtyProgressReporter(progressLogger, null);
  const reporter = {
    update(task, done, total, ...rest) {
      progressUpdates++;
      ttyReporter.update(task, done, total, ...rest); // rest: the stage, where the port has one
    },
    finish(task) {
      ttyReporter.finish(task);
    },
  };
  const clock = {
    now: () => new Date(),
    setTimer: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };

  // ---- the measured path: ServeDocs.load() over FsMarkdownDocSource, with the two phases timed
  const source = new FsMarkdownDocSource(dir, logger);
  const realLoad = source.load.bind(source);
  let sourceMs = 0;
  let docCount = 0;
  let corpusChars = 0;
  source.load = async () => {
    const s = performance.now();
    const docs = await realLoad();
    sourceMs = performance.now() - s;
    docCount = docs.length;
    for (const d of docs) corpusChars += d.markdown.length;
    return docs;
  };
  // DocIndex.buildAsync, timed whole and split where its own 'splitting' phase reports done.
  const realBuild = DocIndex.buildAsync;
  if (typeof realBuild !== 'function')
    throw new Error('dist/domain/doc-index.js has no DocIndex.buildAsync: update bench-scale.mjs');
  let builds = 0;
  let buildMs;
  let splitMs;
  DocIndex.buildAsync = async function (sources, builtAt, onProgress, ...rest) {
    builds++;
    const s = performance.now();
    const progress = (done, total, phase) => {
      if (phase === 'splitting') splitMs = performance.now() - s; // the last one ends the phase
      onProgress?.(done, total, phase);
    };
    const r = await realBuild.call(this, sources, builtAt, progress, ...rest);
    buildMs = performance.now() - s;
    return r;
  };
  const serve = new ServeDocs(source, clock, logger, reporter);
  const loadStart = performance.now();
  const index = await serve.load();
  const loadEnd = performance.now();
  if (builds !== 1)
    throw new Error(
      `ServeDocs.load() called DocIndex.buildAsync ${builds} times, not once: update bench-scale.mjs`,
    );
  if (splitMs === undefined)
    process.stderr.write(
      "  [child] warn: buildAsync reported no 'splitting' phase; split/engine not apportioned\n",
    );
  out.loadMs = loadEnd - loadStart;
  out.sourceMs = sourceMs;
  out.buildMs = buildMs;
  out.splitMs = splitMs;
  out.engineMs = splitMs === undefined ? undefined : buildMs - splitMs;
  out.otherMs = out.loadMs - sourceMs - buildMs;
  out.docs = docCount;
  out.corpusMB = corpusChars / 1e6;
  out.sections = index.sectionCount;
  const engine = index.engine; // private in TS, a plain property at run time
  out.terms = engine.termCount;
  out.maxRssMB = (process.resourceUsage().maxRSS * 1024) / MB;
  const mem = process.memoryUsage();
  out.rssAfterMB = mem.rss / MB;
  out.heapUsedMB = mem.heapUsed / MB;
  globalThis.gc?.();
  globalThis.gc?.();
  out.heapAfterGcMB = process.memoryUsage().heapUsed / MB;
  out.loadavg = os.loadavg()[0];

  // Progress: the longest stretch of the load with no progress line (start, lines, end).
  const marks = [loadStart, ...progressLines.map((e) => e.t), loadEnd];
  out.progressLines = progressLines.length;
  out.progressUpdates = progressUpdates;
  out.longestSilenceMs = Math.max(...marks.slice(1).map((t, i) => t - marks[i]));
  const lastProgress = progressLines.at(-1);
  out.lastProgressAtMs = lastProgress ? lastProgress.t - loadStart : null;

  // Partial results after each phase: a child killed later still reports what it measured.
  const emit = () => process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  emit();
  if (values['load-only']) return;

  // ---- search latency through ServeDocs.search (limit 10)
  const vocab = JSON.parse(readFileSync(join(dir, '.vocab.json'), 'utf8'));
  const queries = makeQueries(
    vocab,
    Number(values.queries) + Number(values.warmup),
    `queries:${values.seed}`,
  );
  const warm = queries.slice(0, Number(values.warmup));
  const measured = queries.slice(Number(values.warmup));
  {
    const s = performance.now();
    serve.search({ query: measured[0].q, limit: 10 });
    out.firstQueryMs = performance.now() - s;
  }
  for (const { q } of warm) serve.search({ query: q, limit: 10 });
  const lat = [];
  const byKind = { words: [], ident: [] };
  let hits = 0;
  let empty = 0;
  for (const { q, kind } of measured) {
    const s = performance.now();
    const r = serve.search({ query: q, limit: 10 });
    const ms = performance.now() - s;
    lat.push({ ms, q });
    byKind[kind].push(ms);
    hits += r.results.length;
    if (r.results.length === 0) empty++;
  }
  const sorted = lat.map((x) => x.ms).sort((a, b) => a - b);
  out.search = {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    avgHits: hits / sorted.length,
    empty,
    p50Words: quantile(
      byKind.words.sort((a, b) => a - b),
      0.5,
    ),
    p99Words: quantile(byKind.words, 0.99),
    p50Ident: quantile(
      byKind.ident.sort((a, b) => a - b),
      0.5,
    ),
    p99Ident: quantile(byKind.ident, 0.99),
    slowest: lat
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((x) => ({ q: x.q, ms: x.ms })),
  };
  // Where a query's time goes: the engine's candidate search as DocIndex.search makes it (private
  // candidates(terms, limit): FieldedBm25 over the query's analyzed terms, exact, with prefix/fuzzy
  // only for terms the index does not know; limit = RANKING.rerank = 100), DocIndex.search (+ the
  // re-rank and snippets), ServeDocs.search. The terms are analyzed outside the timed loop.
  if (typeof index.candidates === 'function') {
    const termsOf = measured.map(({ q }) => tokenize(q).flatMap((t) => processTerm(t)));
    const probe = index.candidates(termsOf[0], 100);
    if (!Array.isArray(probe) || (probe.length && typeof probe[0].doc !== 'number'))
      throw new Error(
        'DocIndex.candidates(terms, limit) no longer returns Bm25Hit[]: update bench-scale.mjs',
      );
    const s = performance.now();
    for (const terms of termsOf) index.candidates(terms, 100);
    out.search.engineOnlyMeanMs = (performance.now() - s) / measured.length;
  } else process.stderr.write('  [child] warn: DocIndex has no candidates(): engine time not measured\n');
  {
    const s = performance.now();
    for (const { q } of measured) index.search(q, 10);
    out.search.indexOnlyMeanMs = (performance.now() - s) / measured.length;
  }

  emit();

  // ---- what a persisted index would save: write it here, restore it in a fresh process (parent)
  if (values.persist) {
    const p = {};
    out.persist = p;
    // Each step is named as it starts and its figures emitted as it ends: an OOM names its step.
    const step = (name) => {
      p.lastStep = name;
      emit();
      process.stderr.write(
        `  [child] persist: ${name} (heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB)\n`,
      );
    };
    const files = persistFiles(docCount);
    mkdirSync(dirname(files.state), { recursive: true });
    try {
      // What the restored index must answer: the loaded index's top 10 for every measured query.
      step('expected results');
      const expected = measured.map(({ q }) => ({ q, ids: index.search(q, 10).map((h) => h.section.id) }));
      await writeFile(files.expected, JSON.stringify(expected));
      // The folder's stat signature, stored with the index (a restore compares it; off the start-up path).
      step('stat signature');
      let s = performance.now();
      const signature = await statSignature(dir);
      p.statMs = performance.now() - s;
      step('collect state');
      s = performance.now();
      const state = persistedState(index, serve, signature);
      p.collectMs = performance.now() - s;
      step('v8.serialize');
      s = performance.now();
      const buf = v8.serialize(state);
      p.serializeMs = performance.now() - s;
      p.fileMB = buf.length / 1e6;
      p.parts = state.sizes;
      step('write file');
      s = performance.now();
      await writeFile(files.state, buf);
      p.writeFileMs = performance.now() - s;
      p.writeMs = p.collectMs + p.serializeMs + p.writeFileMs;
      p.lastStep = 'done';
    } catch (e) {
      p.error = `${e.name}: ${e.message}`;
    }
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

function persistFiles(n) {
  const tmp = join(WORK, 'tmp');
  return { state: join(tmp, `index-${n}.v8`), expected: join(tmp, `expected-${n}.json`) };
}

/**
 * Everything a restored DocIndex needs that the build computed: the documents with their sections
 * (DocIndex's docs, byId and sections all point at these), FieldedBm25's sealed typed arrays and
 * term list (termIds and the dictionary are rebuilt from the list), and the per-section heading
 * terms (as arrays), heading names and deprecated marks. Reads private fields (plain properties at
 * run time) and fails loudly if the engine's layout changed. Since bbb29c9 also the documents'
 * sources (DocIndex.sources, for a refresh that reuses unchanged splits), without their Markdown.
 */
function persistedState(index, serve, signature) {
  const e = index.engine;
  const typed = {
    offsets: [e.offsets, Int32Array],
    postingDocs: [e.postingDocs, Int32Array],
    postingTfs: [e.postingTfs, Uint16Array],
    fieldDf: [e.fieldDf, Int32Array],
    fieldLengths: [e.fieldLengths?.data, Int32Array],
    avgFieldLength: [e.avgFieldLength, Float64Array],
  };
  for (const [name, [value, type]] of Object.entries(typed))
    if (!(value instanceof type))
      throw new Error(`engine.${name} is not a ${type.name}: FieldedBm25 changed, update bench-scale.mjs`);
  if (!e.sealed || !Array.isArray(e.termList) || !Array.isArray(index.headingTerms))
    throw new Error('DocIndex/FieldedBm25 state is not what bench-scale.mjs expects: update it');
  // A view on a larger buffer would serialize only its bytes, but say so if the layout assumption breaks.
  if (e.fieldLengths.data.length !== e.docCount * e.fieldCount)
    throw new Error('engine.fieldLengths.data is not exactly documents × fields: update bench-scale.mjs');
  const engine = { docCount: e.docCount, termList: e.termList };
  for (const [name, [value]] of Object.entries(typed)) engine[name] = value;
  const sizes = {};
  for (const [name, [value]] of Object.entries(typed)) sizes[name] = value.byteLength / 1e6;
  // Since bbb29c9 DocIndex keeps each document's source (id, path, title, url, Markdown) so a refresh
  // can reuse unchanged splits: stored without the Markdown, which is the document's own string.
  let sources;
  if (index.sources instanceof Map) {
    sources = [];
    for (const src of index.sources.values()) {
      const { id, path, title, url, markdown } = src;
      const same = index.docs.get(id)?.markdown === markdown;
      sources.push(same ? { id, path, title, url } : { id, path, title, url, markdown });
    }
  }
  // Where the file's bytes come from: the text is held several times (document, section Markdown,
  // plain text, lead), and v8.serialize writes every string out, shared or not.
  const chars = { documentMarkdown: 0, sectionMarkdown: 0, plain: 0, lead: 0 };
  for (const d of index.docs.values()) {
    chars.documentMarkdown += d.markdown.length;
    for (const sec of d.sections) {
      chars.sectionMarkdown += sec.markdown.length;
      chars.plain += sec.plain.length;
      chars.lead += sec.lead.length;
    }
  }
  return {
    builtAt: index.builtAt,
    fingerprint: serve.fingerprint,
    signature,
    documents: index.documents(),
    engine,
    headingTerms: index.headingTerms.map((set) => [...set]),
    headingNames: index.headingNames,
    deprecated: index.deprecated,
    sources,
    sizes: {
      typedArraysMB: Object.values(sizes).reduce((a, b) => a + b, 0),
      terms: e.termList.length,
      textMB: Object.fromEntries(Object.entries(chars).map(([k, v]) => [k, v / 1e6])),
    },
  };
}

/**
 * A stat-only freshness check: the files FsMarkdownDocSource would read (same filter), stat'ed 32
 * at a time as it reads them, hashed by relative path, size and mtime. No file is read.
 */
async function statSignature(dir) {
  const root = await realpath(dir);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.(md|mdx|markdown)$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (f) =>
        !relative(root, f)
          .split(sep)
          .some((part) => part.startsWith('.') || part === 'node_modules'),
    )
    .sort();
  const stats = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      stats[i] = await stat(files[i]);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const h = createHash('sha256');
  for (let i = 0; i < files.length; i++)
    h.update(`${relative(root, files[i])}\0${stats[i].size}\0${stats[i].mtimeMs}\n`);
  return { files: files.length, hash: h.digest('hex') };
}

/** A whole file into one Buffer: fs.readFile refuses files over 2 GiB. */
async function readWhole(path) {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await fh.read(buf, at, Math.min(size - at, 2 ** 30), at);
      if (!bytesRead) throw new Error(`${path}: file shrank while reading`);
      at += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

// ================================================================ restore child: persisted start-up
/**
 * Start-up from the persisted index in a fresh process (so its peak RSS is its own): freshness
 * check, read, deserialize, then everything the build made that the file does not hold: the typed
 * arrays copied out of the file's buffer (v8.deserialize returns views on it, which would keep the
 * whole file, strings included, alive), termIds and the prefix/fuzzy SearchableMap from the term
 * list, DocIndex's docs/byId/sections (its constructor, as the build calls it), heading-term Sets,
 * the sources Map. The result is installed in a real DocIndex and must return the loaded index's
 * top 10; afterwards (not timed) a reload of the folder checks that a refresh would reuse every split.
 */
async function restore() {
  const dist = values.dist;
  const dir = values.dir;
  const n = Number(values.restore);
  const files = persistFiles(n);
  const out = {};
  const emit = () => process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  await import('reflect-metadata');
  const imp = (p) => import(pathToFileURL(join(dist, p)).href);
  const { DocIndex } = await imp('domain/doc-index.js');
  const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
  const steps = {};
  const time = async (name, fn) => {
    const s = performance.now();
    const r = await fn();
    steps[name] = performance.now() - s;
    out.steps = steps;
    emit();
    return r;
  };

  const signature = await time('statCheck', () => statSignature(dir));
  let buf = await time('read', () => readWhole(files.state));
  out.fileMB = buf.length / 1e6;
  let state = await time('deserialize', () => v8.deserialize(buf));
  buf = undefined;
  out.fresh = signature.hash === state.signature.hash && signature.files === state.signature.files;
  const e = state.engine;
  await time('copyArrays', () => {
    for (const k of ['offsets', 'postingDocs', 'postingTfs', 'fieldDf', 'fieldLengths', 'avgFieldLength'])
      e[k] = e[k].slice();
  });
  const termIds = await time('termIds', () => {
    const m = new Map();
    for (let t = 0; t < e.termList.length; t++) m.set(e.termList[t], t);
    return m;
  });
  const dictionary = await time('dictionary', () => {
    const d = new SearchableMap();
    for (let t = 0; t < e.termList.length; t++) d.set(e.termList[t], t);
    return d;
  });
  // DocIndex's constructor fills docs, byId and sections from the documents (and makes an empty
  // engine, which gets the restored arrays below): the same code the build runs.
  const index = await time('sections', () => new DocIndex(state.documents, new Date(state.builtAt)));
  const headingTerms = await time('headingSets', () => state.headingTerms.map((a) => new Set(a)));
  const sources =
    state.sources &&
    (await time('sourcesMap', () => {
      const m = new Map();
      for (const src of state.sources)
        m.set(
          src.id,
          src.markdown === undefined ? { ...src, markdown: index.docs.get(src.id).markdown } : src,
        );
      return m;
    }));
  await time('install', () => {
    const engine = index.engine;
    Object.assign(engine, {
      termList: e.termList,
      termIds,
      dictionary,
      docCount: e.docCount,
      offsets: e.offsets,
      postingDocs: e.postingDocs,
      postingTfs: e.postingTfs,
      fieldDf: e.fieldDf,
      avgFieldLength: e.avgFieldLength,
      scores: new Float64Array(e.docCount),
      matched: new Uint32Array(e.docCount),
      touched: new Int32Array(e.docCount),
      sealed: true,
    });
    engine.fieldLengths.data = e.fieldLengths;
    engine.fieldLengths.length = e.fieldLengths.length;
    Object.assign(index, { headingTerms, headingNames: state.headingNames, deprecated: state.deprecated });
    if (sources) index.sources = sources;
  });
  state = undefined;
  out.totalMs = Object.values(steps).reduce((a, b) => a + b, 0);
  out.maxRssMB = (process.resourceUsage().maxRSS * 1024) / MB;
  globalThis.gc?.();
  globalThis.gc?.();
  out.heapAfterGcMB = process.memoryUsage().heapUsed / MB;
  out.rssAfterGcMB = process.memoryUsage().rss / MB;
  out.sections = index.sectionCount;
  emit();
  const expected = JSON.parse(readFileSync(files.expected, 'utf8'));
  let same = 0;
  for (const { q, ids } of expected) {
    const got = index.search(q, 10).map((h) => h.section.id);
    if (got.length === ids.length && got.every((id, i) => id === ids[i])) same++;
  }
  out.sameResults = `${same}/${expected.length}`;
  emit();
  // After the measurements: would a refresh after this restore reuse every split (DocIndex.unchanged)?
  if (typeof index.unchanged === 'function') {
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const docs = await new FsMarkdownDocSource(dir, silent).load();
    out.reusable = `${docs.filter((d) => index.unchanged(d)).length}/${docs.length}`;
    emit();
  }
}

/** Deterministic queries: 1–5 vocabulary words (some frequent, most not), a quarter identifiers. */
function makeQueries(vocab, n, key) {
  const rng = makeRng(key);
  const word = () => (rng.chance(0.4) ? vocab.words[rng.int(0, 199)] : rng.pick(vocab.words));
  const out = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.25)) {
      const id = rng.chance(0.6) && vocab.api.length ? rng.pick(vocab.api) : rng.pick(vocab.identifiers);
      const extra = rng.int(0, 2);
      const words = [id];
      for (let k = 0; k < extra; k++) words.push(word());
      out.push({ q: words.join(' '), kind: 'ident' });
    } else {
      const k = rng.int(1, 5);
      const words = [];
      for (let j = 0; j < k; j++) words.push(word());
      out.push({ q: words.join(' '), kind: 'words' });
    }
  }
  return out;
}

// ================================================================ parent
async function parent() {
  const sizes = values.sizes.split(',').map(Number);
  const persistSizes = new Set(values['persist-sizes'].split(',').filter(Boolean).map(Number));
  const profileSize = values.profile ? Number(values.profile) : undefined;
  const timeoutMs = Number(values.timeout) * 1000;
  const maxRssMB = Number(values['max-rss-mb']);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`bench-scale: --sizes must be positive whole numbers\n${USAGE}`);
    process.exit(2);
  }
  const srcDist = join(ROOT, 'dist');
  if (!existsSync(join(values.dist ?? srcDist, 'domain', 'serve-docs.js'))) {
    process.stderr.write('bench-scale: dist/ is missing: run npm run build first\n');
    process.exit(2);
  }
  let dist = values.dist ? resolve(values.dist) : srcDist;
  if (!values.dist && !values['no-snapshot']) {
    dist = join(WORK, 'dist');
    rmSync(dist, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    cpSync(srcDist, dist, { recursive: true });
  }
  const h = createHash('sha256');
  for (const f of readdirSync(join(dist, 'domain')).sort())
    if (f.endsWith('.js')) h.update(readFileSync(join(dist, 'domain', f)));
  const distHash = h.digest('hex').slice(0, 12);

  const cpus = os.cpus();
  console.log(
    `bench-scale: node ${process.version}, ${cpus.length}x ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(
          ' ',
        )}; dist/domain sha256 ${distHash}${dist === srcDist ? '' : ` (${values.dist ? dist : 'snapshot'})`}`,
  );

  const results = [];
  for (const n of sizes) {
    const dir = ensureCorpus(n);
    const args = [
      '--dir',
      dir,
      '--dist',
      dist,
      '--queries',
      values.queries,
      '--warmup',
      values.warmup,
      '--seed',
      values.seed,
    ];
    if (persistSizes.has(n)) args.push('--persist');
    console.log(`\n== ${n} docs: fresh child (load, search${persistSizes.has(n) ? ', persist' : ''})`);
    const r = await runChild(args, [], timeoutMs, maxRssMB);
    if (r.persist && existsSync(persistFiles(n).state)) {
      console.log(`   restoring the persisted index of ${n} docs in a fresh child`);
      r.restore = await runChild(
        ['--dir', dir, '--dist', dist, '--restore', String(n)],
        [],
        timeoutMs,
        maxRssMB,
      );
    }
    rmSync(join(WORK, 'tmp'), { recursive: true, force: true });
    results.push({ n, ...r });
    if (r.error) console.log(`   ${r.error}`);
    else if (r.failure)
      console.log(
        `   ${r.failure}; load ${fmt(r.loadMs / 1000, 2)} s, peak RSS ${fmt(r.maxRssMB, 0)} MB (partial results kept)`,
      );
    else
      console.log(
        `   load ${fmt(r.loadMs / 1000, 2)} s, peak RSS ${fmt(r.maxRssMB, 0)} MB, search p99 ${fmt(r.search?.p99, 2)} ms`,
      );
  }

  let profile;
  if (profileSize) {
    const dir = ensureCorpus(profileSize);
    const profDir = join(WORK, 'prof');
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
    console.log(`\n== ${profileSize} docs: load under --cpu-prof`);
    const r = await runChild(
      ['--dir', dir, '--dist', dist, '--load-only'],
      ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      timeoutMs,
      maxRssMB,
    );
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    profile = { n: profileSize, loadMs: r.loadMs, file: file && join(profDir, file) };
    if (file) profile.summary = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')));
  }

  report(results, profile);
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ distHash, results, profile: profile?.summary }, null, 2));
}

function ensureCorpus(n) {
  const dir = join(ROOT, '.cache', 'corpora', String(n));
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'gen-corpus.mjs'), '--docs', String(n), '--out', dir, '--seed', values.seed],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`gen-corpus failed for ${n}`);
  return dir;
}

/** Runs a child, watching its RSS (/proc) and wall time; kills it past either bound. */
function runChild(args, nodeFlags, timeoutMs, maxRssMB) {
  return new Promise((resolvePromise) => {
    const flags = ['--expose-gc', ...nodeFlags];
    if (values['max-old-space']) flags.push(`--max-old-space-size=${values['max-old-space']}`);
    const started = performance.now();
    const p = spawn(process.execPath, [...flags, SELF, '--child', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let killed;
    let sampledPeakMB = 0;
    p.stdout.on('data', (d) => (stdout += d));
    const watch = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
        const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        sampledPeakMB = Math.max(sampledPeakMB, rssKB / 1024);
        if (rssKB / 1024 > maxRssMB) killed = `killed: RSS ${(rssKB / 1024).toFixed(0)} MB > ${maxRssMB} MB`;
      } catch {}
      if (performance.now() - started > timeoutMs) killed = `killed: ran past ${timeoutMs / 1000} s`;
      if (killed) p.kill('SIGKILL');
    }, 200);
    p.on('close', (code, signal) => {
      clearInterval(watch);
      const line = stdout.split('\n').findLast((l) => l.startsWith('RESULT '));
      const wallMs = performance.now() - started;
      const failure =
        killed ??
        (code !== 0
          ? `child exited with ${signal ?? code} after ${(wallMs / 1000).toFixed(0)} s`
          : undefined);
      if (line) return resolvePromise({ ...JSON.parse(line.slice(7)), wallMs, sampledPeakMB, failure });
      resolvePromise({
        error: killed ?? `child exited with ${signal ?? code} after ${(wallMs / 1000).toFixed(0)} s`,
        wallMs,
        sampledPeakMB,
      });
    });
  });
}

function summarizeProfile(prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (cf) => {
    const url = cf.url || '';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    if (url.includes('/dist/')) return `dist/${url.split('/dist/')[1]}`;
    if (url.startsWith('node:')) return 'node internals';
    return url ? basename(url) : cf.functionName.startsWith('(') ? cf.functionName : 'native/V8';
  };
  const key = (cf) =>
    `${cf.functionName || '(anonymous)'} ${where(cf)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  const self = new Map();
  const incl = new Map();
  const pkg = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const leaf = byId.get(prof.samples[i]);
    const k = key(leaf.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    pkg.set(where(leaf.callFrame), (pkg.get(where(leaf.callFrame)) ?? 0) + dt);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const kk = key(byId.get(id).callFrame);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  const top = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  return { totalMs: total, self: top(self, 18), inclusive: top(incl, 40), packages: top(pkg, 12) };
}

function report(results, profile) {
  const ok = results.filter((r) => !r.error);
  console.log('\n== Scale (each size in a fresh child; times in seconds, memory in MB, latency in ms)');
  const head = [
    'docs',
    'corpus MB',
    'sections',
    'terms',
    'read+parse',
    'build',
    '(split',
    'engine)',
    'other',
    'load total',
    'peak RSS',
    'heap@GC',
    'p50',
    'p99',
    'max',
    'silent s',
    'load avg',
  ];
  const rows = results.map((r) =>
    r.error
      ? [String(r.n), r.error]
      : [
          String(r.n),
          fmt(r.corpusMB, 0),
          String(r.sections),
          String(r.terms),
          fmt(r.sourceMs / 1000, 2),
          fmt(r.buildMs / 1000, 2),
          fmt(r.splitMs / 1000, 2),
          fmt(r.engineMs / 1000, 2),
          fmt(r.otherMs / 1000, 2),
          fmt(r.loadMs / 1000, 2),
          fmt(r.maxRssMB, 0),
          fmt(r.heapAfterGcMB, 0),
          fmt(r.search?.p50, 2),
          fmt(r.search?.p99, 2),
          fmt(r.search?.max, 2),
          fmt(r.longestSilenceMs / 1000, 1),
          fmt(r.loadavg, 2),
        ],
  );
  printTable(head, rows);
  for (const r of ok)
    if (r.failure) console.log(`   ${r.n}: ${r.failure} (the figures above are from before that)`);
  for (const r of ok.filter((x) => x.search))
    console.log(
      `   ${r.n}: search words p50/p99 ${fmt(r.search?.p50Words, 2)}/${fmt(r.search?.p99Words, 2)} ms, identifiers ${fmt(r.search?.p50Ident, 2)}/${fmt(r.search?.p99Ident, 2)} ms; ` +
        `mean: DocIndex.candidates(terms, 100) (FieldedBm25) ${fmt(r.search?.engineOnlyMeanMs, 2)}, DocIndex.search (+rerank, snippets) ${fmt(r.search?.indexOnlyMeanMs, 2)}, ServeDocs.search ${fmt(r.search?.mean, 2)} ms; first query ${fmt(r.firstQueryMs, 1)} ms; ` +
        `avg hits ${fmt(r.search?.avgHits, 1)}, ${r.search?.empty} empty; slowest: ${(r.search?.slowest ?? []).map((s) => `"${s.q}" ${fmt(s.ms, 1)}`).join(', ')}; ` +
        `progress lines ${r.progressLines} of ${r.progressUpdates} updates (last at ${r.lastProgressAtMs == null ? '-' : fmt(r.lastProgressAtMs / 1000, 1)} s of ${fmt(r.loadMs / 1000, 1)} s)`,
    );

  if (ok.length > 1) {
    console.log('\n== Growth (per-doc cost; exponent k in cost ~ N^k, 1.0 = linear)');
    const per = (r) => ({
      t: r.loadMs / r.n,
      b: r.buildMs / r.n,
      rss: (r.maxRssMB * 1024) / r.n,
      heap: (r.heapAfterGcMB * 1024) / r.n,
    });
    printTable(
      ['docs', 'load ms/doc', 'build ms/doc', 'peak RSS KB/doc', 'heap KB/doc', 'p99 ms'],
      ok.map((r) => {
        const p = per(r);
        return [String(r.n), fmt(p.t, 3), fmt(p.b, 3), fmt(p.rss, 0), fmt(p.heap, 0), fmt(r.search?.p99, 2)];
      }),
    );
    for (let i = 1; i < ok.length; i++) {
      const a = ok[i - 1];
      const b = ok[i];
      const k = (x, y) => fmt(Math.log(y / x) / Math.log(b.n / a.n), 2);
      console.log(
        `   ${a.n}→${b.n} (x${b.n / a.n}): load x${fmt(b.loadMs / a.loadMs)} (k=${k(a.loadMs, b.loadMs)}), build x${fmt(b.buildMs / a.buildMs)} (k=${k(a.buildMs, b.buildMs)}), ` +
          `peak RSS x${fmt(b.maxRssMB / a.maxRssMB)} (k=${k(a.maxRssMB, b.maxRssMB)}), heap x${fmt(b.heapAfterGcMB / a.heapAfterGcMB)}, terms x${fmt(b.terms / a.terms)}, ` +
          `p50 x${fmt(b.search?.p50 / a.search?.p50)}, p99 x${fmt(b.search?.p99 / a.search?.p99)} (k=${k(a.search?.p99, b.search?.p99)})`,
      );
    }
  }

  const t = ok.find((r) => r.n === 10000);
  if (t) {
    console.log('\n== Targets at 10k docs (figures, not assertions)');
    const line = (name, v, lim, unit) =>
      console.log(`   ${v < lim ? 'PASS' : 'FAIL'}  ${name}: ${fmt(v, 2)} ${unit} (target < ${lim} ${unit})`);
    line('index (ServeDocs.load: read+parse+build)', t.loadMs / 1000, 10, 's');
    line('peak RSS', t.maxRssMB, 1024, 'MB');
    line('search p99', t.search?.p99, 20, 'ms');
  }

  const ps = ok.filter((r) => r.persist);
  if (ps.length) {
    console.log(
      '\n== Persisted index (v8.serialize of documents+sections, engine arrays+term list, heading terms/names, deprecated)',
    );
    console.log('   written by the loading child (after its load; off the start-up path):');
    printTable(
      [
        'docs',
        'file MB',
        'of which arrays MB',
        'terms',
        'collect s',
        'serialize s',
        'write file s',
        'write s',
      ],
      ps.map(({ n, persist: p }) => [
        String(n),
        p.error ?? fmt(p.fileMB, 0),
        fmt(p.parts?.typedArraysMB, 0),
        String(p.parts?.terms ?? '-'),
        fmt(p.collectMs / 1000, 2),
        fmt(p.serializeMs / 1000, 2),
        fmt(p.writeFileMs / 1000, 2),
        fmt(p.writeMs / 1000, 2),
      ]),
    );
    console.log('   restored in a fresh child (s), against the full ServeDocs.load() of the loading child:');
    const st = (x, k) => fmt((x.steps?.[k] ?? Number.NaN) / 1000, 2);
    printTable(
      [
        'docs',
        'stat check',
        'read',
        'deserialize',
        'copy arrays',
        'termIds',
        'dictionary',
        'sections',
        'heading sets',
        'sources',
        'install',
        'restore total',
        '| full load',
        'ratio',
        'restore RSS',
        'load RSS',
        'restore heap@GC',
        'load heap@GC',
      ],
      ps.map(({ n, restore: x = {}, loadMs, maxRssMB, heapAfterGcMB }) => [
        String(n),
        st(x, 'statCheck'),
        st(x, 'read'),
        st(x, 'deserialize'),
        st(x, 'copyArrays'),
        st(x, 'termIds'),
        st(x, 'dictionary'),
        st(x, 'sections'),
        st(x, 'headingSets'),
        st(x, 'sourcesMap'),
        st(x, 'install'),
        fmt(x.totalMs / 1000, 2),
        `| ${fmt(loadMs / 1000, 2)}`,
        `${fmt(x.totalMs / loadMs, 2)} (${fmt(loadMs / x.totalMs, 1)}x faster)`,
        fmt(x.maxRssMB, 0),
        fmt(maxRssMB, 0),
        fmt(x.heapAfterGcMB, 0),
        fmt(heapAfterGcMB, 0),
      ]),
    );
    for (const r of ps) {
      if (r.persist.lastStep !== 'done')
        console.log(
          `   ${r.n}: the writer stopped during ${r.persist.lastStep}; ${r.persist.error ?? r.failure ?? ''}`,
        );
      if (r.restore?.failure || r.restore?.error)
        console.log(`   ${r.n}: the restore child: ${r.restore.failure ?? r.restore.error}`);
    }
    console.log(
      '   stat check = readdir + stat of every Markdown file (no reads), which a restore must still do; ' +
        "sections = new DocIndex(documents): its docs/byId/sections; RSS = the child's resourceUsage().maxRSS " +
        '(the restore child sampled from /proc by the parent: ' +
        `${ps.map((r) => `${r.n}: ${fmt(r.restore?.sampledPeakMB, 0)} MB`).join(', ')})`,
    );
    console.log(
      `   restored index: fresh (stat signature unchanged), same top 10 as the loaded one, splits a refresh would reuse: ${ps
        .map(
          (r) =>
            `${r.n}: ${r.restore?.fresh ? 'fresh' : 'NOT fresh'}, ${r.restore?.sameResults ?? '-'}, ${r.restore?.reusable ?? '-'}`,
        )
        .join('; ')}`,
    );
    for (const { n, persist: p, restore: x = {} } of ps) {
      const t = p.parts?.textMB;
      if (t)
        console.log(
          `   ${n}: the file holds the text several times (M chars): documents' Markdown ${fmt(t.documentMarkdown, 0)}, ` +
            `sections' Markdown ${fmt(t.sectionMarkdown, 0)}, plain ${fmt(t.plain, 0)}, lead ${fmt(t.lead, 0)}; ` +
            `restore RSS after GC ${fmt(x.rssAfterGcMB, 0)} MB (the peak holds the whole file buffer and the deserialized heap at once)`,
        );
    }
  }

  if (profile?.summary) {
    const s = profile.summary;
    console.log(
      `\n== CPU profile of the ${profile.n}-doc load (${fmt(s.totalMs / 1000, 2)} s sampled; ${profile.file})`,
    );
    console.log('   by package/file (self time):');
    for (const p of s.packages)
      console.log(`     ${fmt(p.pct, 1).padStart(5)}%  ${fmt(p.ms / 1000, 2).padStart(6)} s  ${p.name}`);
    console.log('   top functions by self time:');
    for (const f of s.self)
      console.log(`     ${fmt(f.pct, 1).padStart(5)}%  ${fmt(f.ms / 1000, 2).padStart(6)} s  ${f.name}`);
    console.log('   top functions by inclusive time:');
    for (const f of s.inclusive.slice(0, 25))
      console.log(`     ${fmt(f.pct, 1).padStart(5)}%  ${fmt(f.ms / 1000, 2).padStart(6)} s  ${f.name}`);
  }
}

function printTable(head, rows) {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r.length === 2 && i === 1 ? 0 : (r[i] ?? '').length))),
  );
  const line = (cells) => `   ${cells.map((c, i) => (c ?? '').padStart(widths[i] ?? 0)).join('  ')}`;
  console.log(line(head));
  for (const r of rows) console.log(r.length === 2 ? `   ${r[0].padStart(widths[0])}  ${r[1]}` : line(r));
}
