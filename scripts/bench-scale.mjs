#!/usr/bin/env node
// Scale benchmark of the docs index (a script, not a timed test): synthetic corpora of N docs.
//
//   npm run build && node scripts/bench-scale.mjs [--sizes 1000,10000,50000] [--queries 200]
//       [--warmup 20] [--persist-sizes 10000,50000|none] [--profile 10000] [--timeout 600]
//       [--max-rss-mb 8192] [--max-old-space MB] [--seed 1] [--no-snapshot | --dist DIR] [--json FILE]
//
// For each size, in a FRESH child process (so peak RSS is per size), over the real code path from
// dist/: FsMarkdownDocSource(root) + ServeDocs.load() with the real TtyProgressReporter (its
// log-line path, as when stderr is not a terminal), and the process CPU time of the load ("load CPU":
// steadier than wall time on a shared machine). Wall time is split into read+parse
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
// DocIndex.search. For --persist-sizes, the real --index-cache path (FsIndexStore, as
// src/app/container.ts makes it): the loading child gives ServeDocs an FsIndexStore on an empty
// temp dir under .cache/bench-scale/tmp/ (its load is then a first start: store.load finds nothing,
// the index is built) and holds back the background save (ServeDocs.saving is seeded with a gate)
// until load time, peak RSS and heap after GC are taken; it then releases it and times
// `await serve.saving` (DocIndex.snapshot + FsIndexStore.save; the longest event-loop block
// during it), the file's size and the peak RSS after it, all before the search measurement. A
// fresh child then times new ServeDocs(source, clock, logger, tools, reporter, store).load() over the
// unchanged corpus, fails unless it logged 'docs index restored', and splits it into source.load,
// store.load, DocIndex.restore and the rest (fingerprint, log); reports its peak RSS and heap
// after GC, and checks that the measured queries return the loaded index's top 10 (ids written to
// a file by the loading child); all against the built first load of the same size. The gate
// moves only when the save starts (in the server it starts as the build ends, beside serving).
// --profile N re-runs size N's load under
// `node --cpu-prof` and prints the top functions (self and inclusive) and time per package.
//
// Corpora come from scripts/gen-corpus.mjs (idempotent) in .cache/corpora/<N>/; the parent reads
// each corpus once before its child starts, so read+parse is timed from the page cache. dist/ is copied
// to .cache/bench-scale/dist first so a rebuild during the run cannot mix code versions.
// A child that runs past --timeout seconds or --max-rss-mb is killed and reported as such.
// Targets (issue 12): 50k docs indexed in <= 15 s with peak RSS <= 1.2 GB and search p99 <= 10 ms;
// 10k in <= 3 s and <= 300 MB: printed, not asserted; with --json FILE, written as the bench suite's
// rows (part "scale": scale-50k-index, scale-50k-rss, scale-50k-p99, scale-10k-index,
// scale-10k-rss; absolute targets, no anchor) with the per-document growth of each stage as note
// and in meta.growth. The suite runs `--sizes 10000,50000 --persist-sizes none` (about 2 minutes
// with the corpora generated; generating the 50k one adds about a minute once).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { assertBuildCurrent } from '../test/harness/certdocs.mjs';
import { makeQueries } from './gen-corpus.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const WORK = join(ROOT, '.cache', 'bench-scale');

const USAGE =
  'usage: node scripts/bench-scale.mjs [--sizes 1000,10000,50000] [--queries 200] [--warmup 20]\n' +
  '         [--persist-sizes 10000,50000|none] [--profile N] [--timeout S=600] [--max-rss-mb 8192]\n' +
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

/** Issue 12's scale targets: absolute, so no anchor (see the bench suite contract). */
const TARGETS = [
  { key: 'scale-50k-index', n: 50000, unit: 's', value: 15, of: (r) => r.loadMs / 1000, what: 'index' },
  { key: 'scale-50k-rss', n: 50000, unit: 'MB', value: 1200, of: (r) => r.maxRssMB, what: 'peak RSS' },
  { key: 'scale-50k-p99', n: 50000, unit: 'ms', value: 10, of: (r) => r.search?.p99, what: 'search p99' },
  { key: 'scale-10k-index', n: 10000, unit: 's', value: 3, of: (r) => r.loadMs / 1000, what: 'index' },
  { key: 'scale-10k-rss', n: 10000, unit: 'MB', value: 300, of: (r) => r.maxRssMB, what: 'peak RSS' },
];

if (values.child && values.restore) await restore();
else if (values.child) await child();
else await parent();

/** The splitter, stemmer and search engine as src/app/container.ts wires them, from dist/. */
async function indexTools(imp) {
  const { IndexTools } = await imp('domain/index-tools.js');
  const { MarkedSectionSplitter } = await imp('adapters/marked/marked-section-splitter.js');
  const { PorterStemmer } = await imp('adapters/stemmer/porter-stemmer.js');
  const { FieldedBm25SearchEngine } = await imp('adapters/minisearch/fielded-bm25-search-engine.js');
  return new IndexTools(new MarkedSectionSplitter(), new PorterStemmer(), new FieldedBm25SearchEngine());
}

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
  const tools = await indexTools(imp);
  const { tokenize, processTerm } = tools.analysis;

  // What ServeDocs logs ('docs indexed', 'docs index saved', ...), to check which path it took.
  const { logged, logger } = recordingLogger('child');
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
  const clock = systemClock();

  // ---- the measured path: ServeDocs.load() over FsMarkdownDocSource, with the two phases timed
  const source = new FsMarkdownDocSource(dir, logger);
  const realLoad = source.load.bind(source);
  let sourceMs = 0;
  let docCount = 0;
  let corpusChars = 0;
  source.load = async (...args) => {
    const s = performance.now();
    const docs = await realLoad(...args); // with ServeDocs' reading-progress callback
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
  DocIndex.buildAsync = async function (tools, sources, builtAt, onProgress, ...rest) {
    builds++;
    const s = performance.now();
    const progress = (done, total, phase) => {
      if (phase === 'splitting') splitMs = performance.now() - s; // the last one ends the phase
      onProgress?.(done, total, phase);
    };
    const r = await realBuild.call(this, tools, sources, builtAt, progress, ...rest);
    buildMs = performance.now() - s;
    return r;
  };
  // --persist: the --index-cache store, on an empty directory (the parent clears it), so this load
  // is a first start: store.load finds no file and the index is built, then saved.
  let store;
  let storeLoadMs;
  let releaseSave;
  let snapshotMs;
  let snapshotAt;
  let saveStoreMs;
  if (values.persist) {
    const { FsIndexStore } = await imp('adapters/filesystem/fs-index-store.js');
    store = new FsIndexStore(persistFiles(values.dir).store, appVersion(), logger);
    const realStoreLoad = store.load.bind(store);
    store.load = async (...a) => {
      const s = performance.now();
      const r = await realStoreLoad(...a);
      storeLoadMs = performance.now() - s;
      return r;
    };
    const realSave = store.save.bind(store);
    store.save = async (...a) => {
      const s = performance.now();
      await realSave(...a);
      saveStoreMs = performance.now() - s;
    };
    // DocIndex#snapshot walks the documents (yielding every few ms) just before store.save.
    const realSnapshot = DocIndex.prototype.snapshot;
    if (typeof realSnapshot !== 'function')
      throw new Error('dist/domain/doc-index.js has no DocIndex#snapshot: update bench-scale.mjs');
    DocIndex.prototype.snapshot = function (...a) {
      snapshotAt = performance.now();
      return Promise.resolve(realSnapshot.apply(this, a)).then((r) => {
        snapshotMs = performance.now() - snapshotAt;
        return r;
      });
    };
  }
  const serve = new ServeDocs(source, clock, logger, tools, reporter, store);
  if (store) {
    // ServeDocs chains its background save on `saving`: seeded with a gate, the save (snapshot
    // included) starts only when released, after the load's time, peak RSS and heap are taken.
    if (!(serve.saving instanceof Promise))
      throw new Error('ServeDocs has no `saving` promise: update bench-scale.mjs');
    serve.saving = new Promise((r) => {
      releaseSave = r;
    });
  }
  const cpuStart = process.cpuUsage();
  const loadStart = performance.now();
  const index = await serve.load();
  const loadEnd = performance.now();
  if (snapshotAt !== undefined)
    throw new Error('the index was snapshotted before the gate was released: update bench-scale.mjs');
  if (builds !== 1)
    throw new Error(
      `ServeDocs.load() called DocIndex.buildAsync ${builds} times, not once: update bench-scale.mjs`,
    );
  if (splitMs === undefined)
    process.stderr.write(
      "  [child] warn: buildAsync reported no 'splitting' phase; split/engine not apportioned\n",
    );
  out.loadMs = loadEnd - loadStart;
  // CPU time of the whole process (main thread, GC and compiler threads) during the load: on a
  // shared machine a steadier comparison than wall time, which waits for other processes.
  const cpu = process.cpuUsage(cpuStart);
  out.loadCpuMs = (cpu.user + cpu.system) / 1000;
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

  // ---- --persist: the background save of the built index, timed alone (before the searches)
  if (store) {
    const p = { storeLoadMs, error: 'not finished' };
    out.persist = p;
    emit();
    if (!logged.includes('docs indexed'))
      throw new Error(
        `the loading child did not build (logged: ${logged.join('; ')}): update bench-scale.mjs`,
      );
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const s = performance.now();
    releaseSave();
    await serve.saving;
    p.saveWallMs = performance.now() - s; // includes ServeDocs' SAVE_DELAY_MS before the snapshot
    delay.disable();
    p.snapshotMs = snapshotMs;
    p.storeSaveMs = saveStoreMs;
    p.saveMs = (snapshotMs ?? 0) + (saveStoreMs ?? 0);
    p.maxEventLoopBlockMs = delay.max / 1e6;
    if (!logged.includes('docs index saved'))
      throw new Error(`ServeDocs did not save the index (logged: ${logged.join('; ')})`);
    const storeDir = persistFiles(values.dir).store;
    const files = readdirSync(storeDir);
    if (files.length !== 1) throw new Error(`the index store holds ${files.join(', ')}, not one file`);
    p.file = files[0];
    p.fileMB = statSync(join(storeDir, files[0])).size / 1e6; // MB as the corpus's, not MiB
    p.maxRssAfterSaveMB = (process.resourceUsage().maxRSS * 1024) / MB;
    delete p.error;
    emit();
  }

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

  // ---- --persist: what the restored index must answer: this index's top 10 for the measured queries
  if (store) {
    const expected = measured.map(({ q }) => ({ q, top: topOf(serve, q) }));
    await writeFile(persistFiles(values.dir).expected, JSON.stringify(expected));
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

/** The index store's directory and the expected results, per corpus (.cache/corpora/<N>). */
function persistFiles(corpusDir) {
  const tmp = join(WORK, 'tmp');
  const n = basename(corpusDir);
  return { store: join(tmp, `index-store-${n}`), expected: join(tmp, `expected-${n}.json`) };
}

/** What the store is keyed by in the server: its version (container.ts: FsIndexStore(dir, VERSION)). */
function appVersion() {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
}

/** ServeDocs.search's top 10 as [id, score] pairs. */
function topOf(serve, q) {
  return serve.search({ query: q, limit: 10 }).results.map((r) => [r.id, r.score]);
}

// ================================================================ restore child: a restart
/**
 * A restart over the unchanged corpus, in a fresh process (so its peak RSS is its own): the real
 * new ServeDocs(source, clock, logger, tools, reporter, FsIndexStore on the loading child's directory)
 * .load(), which must log 'docs index restored' (not build). Timed whole and split into
 * source.load, store.load (read the file, v8.deserialize its records, copy the engine arrays) and
 * DocIndex.restore; the rest is ServeDocs' own (fingerprint of the documents, log). Then peak
 * RSS, heap after GC, and the loading child's top 10 for the measured queries; afterwards (not
 * timed) a reload of the folder checks that a refresh would reuse every split.
 */
async function restore() {
  const dist = values.dist;
  const dir = values.dir;
  const files = persistFiles(dir);
  const out = {};
  const emit = () => process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  await import('reflect-metadata');
  const imp = (p) => import(pathToFileURL(join(dist, p)).href);
  const { ServeDocs } = await imp('domain/serve-docs.js');
  const { DocIndex } = await imp('domain/doc-index.js');
  const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
  const { FsIndexStore } = await imp('adapters/filesystem/fs-index-store.js');
  const tools = await indexTools(imp);
  const { logged, logger } = recordingLogger('restore');
  let progressUpdates = 0;
  const reporter = {
    update() {
      progressUpdates++;
    },
    finish() {},
  };
  const clock = systemClock();
  const timed = (name, fn) =>
    async function (...a) {
      const s = performance.now();
      const r = await fn.apply(this, a);
      out[name] = performance.now() - s;
      return r;
    };

  const source = new FsMarkdownDocSource(dir, logger);
  source.load = timed('sourceMs', source.load.bind(source));
  const store = new FsIndexStore(files.store, appVersion(), logger);
  store.load = timed('storeLoadMs', store.load.bind(store));
  const realRestore = DocIndex.restore;
  if (typeof realRestore !== 'function')
    throw new Error('dist/domain/doc-index.js has no DocIndex.restore: update bench-scale.mjs');
  DocIndex.restore = function (...a) {
    const s = performance.now();
    const r = realRestore.apply(this, a);
    out.restoreMs = performance.now() - s;
    return r;
  };
  let builds = 0;
  const realBuild = DocIndex.buildAsync;
  DocIndex.buildAsync = function (...a) {
    builds++;
    return realBuild.apply(this, a);
  };

  const serve = new ServeDocs(source, clock, logger, tools, reporter, store);
  const s = performance.now();
  const index = await serve.load();
  out.totalMs = performance.now() - s;
  out.maxRssMB = (process.resourceUsage().maxRSS * 1024) / MB;
  out.restored = logged.includes('docs index restored');
  out.logged = logged;
  out.progressUpdates = progressUpdates;
  emit();
  if (!out.restored || builds !== 0)
    throw new Error(
      `the restart did not restore the saved index (buildAsync called ${builds} times; logged: ${logged.join('; ')})`,
    );
  out.otherMs = out.totalMs - out.sourceMs - out.storeLoadMs - out.restoreMs;
  globalThis.gc?.();
  globalThis.gc?.();
  out.heapAfterGcMB = process.memoryUsage().heapUsed / MB;
  out.rssAfterGcMB = process.memoryUsage().rss / MB;
  out.sections = index.sectionCount;
  out.loadavg = os.loadavg()[0];
  emit();
  const expected = JSON.parse(readFileSync(files.expected, 'utf8'));
  let sameIds = 0;
  let sameScores = 0;
  const differ = [];
  for (const { q, top } of expected) {
    const got = topOf(serve, q);
    const ids = got.length === top.length && got.every(([id], i) => id === top[i][0]);
    if (ids) sameIds++;
    else if (differ.length < 3) differ.push(q);
    if (ids && got.every(([, score], i) => score === top[i][1])) sameScores++;
  }
  out.sameResults = `${sameIds}/${expected.length}`;
  out.sameScores = `${sameScores}/${expected.length}`;
  emit();
  if (sameIds !== expected.length)
    throw new Error(
      `the restored index answers ${expected.length - sameIds} of ${expected.length} queries differently, e.g. ${differ.map((q) => `"${q}"`).join(', ')}`,
    );
  // After the measurements: would a refresh after this restore reuse every split (DocIndex.unchanged)?
  if (typeof index.unchanged === 'function') {
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const docs = await new FsMarkdownDocSource(dir, silent).load();
    out.reusable = `${docs.filter((d) => index.unchanged(d)).length}/${docs.length}`;
    emit();
  }
}

// ================================================================ parent
async function parent() {
  const sizes = values.sizes.split(',').map(Number);
  // `none` (or an empty list): no size is persisted.
  const persistArg = values['persist-sizes'].trim();
  const persistList = persistArg === 'none' ? [] : persistArg.split(',').filter(Boolean).map(Number);
  if (persistList.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`bench-scale: --persist-sizes must be positive whole numbers or none\n${USAGE}`);
    process.exit(2);
  }
  const persistSizes = new Set(persistList);
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
  if (!values.dist) {
    try {
      assertBuildCurrent();
    } catch (e) {
      process.stderr.write(`bench-scale: ${e.message}\n`);
      process.exit(2);
    }
  }
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
    warmPageCache(dir);
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
    // An empty index store: the loading child's start must build, not restore a stale file.
    rmSync(join(WORK, 'tmp'), { recursive: true, force: true });
    const r = await runChild(args, [], timeoutMs, maxRssMB);
    if (r.persist && !r.persist.error && existsSync(persistFiles(dir).expected)) {
      console.log(`   restarting over the same ${n} docs with the saved index, in a fresh child`);
      r.restore = await runChild(
        ['--dir', dir, '--dist', dist, '--restore', String(n)],
        [],
        timeoutMs,
        maxRssMB,
      );
      if (r.restore.error || r.restore.failure)
        console.log(`   RESTART FAILED: ${r.restore.error ?? r.restore.failure}`);
    } else if (r.persist) console.log(`   the save failed: ${r.persist.error ?? r.failure ?? r.error}`);
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
    warmPageCache(dir);
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
  if (values.json) {
    const growth = growthOf(results);
    const doc = {
      part: 'scale',
      meta: {
        node: process.version,
        nproc: cpus.length,
        cpu: cpus[0]?.model.trim(),
        memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
        anchors: {},
        distHash,
        sizes,
        queries: Number(values.queries),
        corpus: `scripts/gen-corpus.mjs synthetic API docs (~5 KB each), seed ${values.seed}, page cache warmed before each child`,
        growth,
        results,
        profile: profile?.summary,
      },
      rows: targetRows(results, growth),
    };
    writeFileSync(values.json, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`\nbench-scale: wrote ${values.json}`);
  }
}

function targetMeasure(t) {
  const docs = `${t.n / 1000}k synthetic docs, fresh process`;
  if (t.what === 'index')
    return `${docs}: ServeDocs.load() over a folder (read + parse + split + engine build), wall time`;
  if (t.what === 'peak RSS') return `${docs}: peak RSS (resourceUsage().maxRSS) through the index build`;
  return `${docs}: ServeDocs.search (limit 10), ${values.queries} deterministic queries after ${values.warmup} warm-up, p99`;
}

/** One row per target whose size ran (a failed run: no value, not passing, the failure as note). */
function targetRows(results, growth) {
  const rows = [];
  for (const t of TARGETS) {
    const r = results.find((x) => x.n === t.n);
    if (!r) continue;
    const v = r.error ? undefined : t.of(r);
    const value = v === undefined || Number.isNaN(v) ? null : Number(v.toFixed(t.unit === 'MB' ? 0 : 2));
    const g = growth.find((x) => x.to === t.n);
    const note =
      r.error ??
      r.failure ??
      (t.what === 'index' ? `${stagesNote(r)}${g ? `; growth ${g.note}` : ''}` : undefined);
    rows.push({
      key: t.key,
      measure: targetMeasure(t),
      unit: t.unit,
      certdocs: value,
      anchor: null,
      ratio: null,
      target: { op: '<=', value: t.value, unit: t.unit },
      pass: value !== null && value <= t.value,
      samples: { certdocs: value === null ? [] : [value] },
      ...(note ? { note } : {}),
    });
  }
  return rows;
}

function stagesNote(r) {
  return `read+parse ${fmt(r.sourceMs / 1000, 2)} s, split ${fmt(r.splitMs / 1000, 2)} s, engine ${fmt(r.engineMs / 1000, 2)} s, other ${fmt(r.otherMs / 1000, 2)} s; process CPU ${fmt(r.loadCpuMs / 1000, 2)} s, load average ${fmt(r.loadavg, 1)}`;
}

/** Cost per document of each stage at consecutive sizes, and how it grows (k in cost ~ N^k). */
function growthOf(results) {
  const ok = results.filter((r) => !r.error && r.loadMs);
  const out = [];
  for (let i = 1; i < ok.length; i++) {
    const a = ok[i - 1];
    const b = ok[i];
    const stage = (name, f, unit = 'ms') => {
      const x = f(a);
      const y = f(b);
      return {
        stage: name,
        unit: `${unit}/doc`,
        from: x / a.n,
        to: y / b.n,
        k: Math.log(y / x) / Math.log(b.n / a.n),
      };
    };
    const stages = [
      stage('read+parse', (r) => r.sourceMs),
      stage('split', (r) => r.splitMs),
      stage('engine', (r) => r.engineMs),
      stage('other', (r) => r.otherMs),
      stage('load', (r) => r.loadMs),
      stage('peak RSS', (r) => r.maxRssMB * 1024, 'KB'),
      stage('heap after GC', (r) => r.heapAfterGcMB * 1024, 'KB'),
    ];
    const perDoc = stages
      .map(
        (s) =>
          `${s.stage} ${fmt(s.from, s.unit === 'KB/doc' ? 0 : 3)}→${fmt(s.to, s.unit === 'KB/doc' ? 0 : 3)} ${s.unit} (k=${fmt(s.k, 2)})`,
      )
      .join(', ');
    out.push({
      from: a.n,
      to: b.n,
      stages,
      p99Ms: { from: a.search?.p99, to: b.search?.p99 },
      note: `${a.n / 1000}k→${b.n / 1000}k docs, per doc: ${perDoc}; p99 ${fmt(a.search?.p99, 2)}→${fmt(b.search?.p99, 2)} ms. k = 1 is linear.`,
    });
  }
  return out;
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

/**
 * Reads every file of the corpus once, in this process, before the measured child: read+parse
 * measures reading from the page cache, as a restart on a machine that has the docs does, not
 * whatever the disk and other jobs left in the cache (it swung 0.38-1.6 s at 10k between runs).
 */
function warmPageCache(dir) {
  const s = performance.now();
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    bytes += readFileSync(join(e.parentPath, e.name)).length;
    files++;
  }
  console.log(
    `   page cache warmed: ${files} files, ${fmt(bytes / 2 ** 20, 0)} MB read in ${fmt((performance.now() - s) / 1000, 2)} s`,
  );
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
    'load CPU',
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
          fmt(r.loadCpuMs / 1000, 2),
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
    for (const g of growthOf(ok)) console.log(`   ${g.note}`);
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

  const targets = targetRows(results, []);
  if (targets.length) {
    console.log('\n== Targets (issue 12; absolute, this machine)');
    for (const row of targets)
      console.log(
        `   ${row.pass ? 'PASS' : 'FAIL'}  ${row.key}: ${row.certdocs ?? '-'} ${row.unit} (target <= ${row.target.value} ${row.unit})`,
      );
  }

  const ps = ok.filter((r) => r.persist);
  if (ps.length) {
    console.log('\n== --index-cache (FsIndexStore; times in seconds, memory in MB)');
    console.log(
      '   saved by the loading child after its built first start (ServeDocs.saving; before the searches):',
    );
    printTable(
      [
        'docs',
        'file MB',
        'save',
        '(snapshot()',
        'store.save)',
        'longest block ms',
        'peak RSS after save',
        'load peak RSS',
        'store.load at 1st start ms',
      ],
      ps.map(({ n, persist: p, maxRssMB }) => [
        String(n),
        p.error ?? fmt(p.fileMB, 1),
        fmt(p.saveMs / 1000, 2),
        fmt(p.snapshotMs / 1000, 2),
        fmt(p.storeSaveMs / 1000, 2),
        fmt(p.maxEventLoopBlockMs, 0),
        fmt(p.maxRssAfterSaveMB, 0),
        fmt(maxRssMB, 0),
        fmt(p.storeLoadMs, 1),
      ]),
    );
    console.log(
      '   restart over the unchanged corpus in a fresh child: ServeDocs.load() with the store (restored), ' +
        'against the first start (built):',
    );
    printTable(
      [
        'docs',
        'source.load',
        'store.load',
        'DocIndex.restore',
        'other',
        'restart (restored)',
        '| first load (built)',
        'ratio',
        'restore RSS',
        'load RSS',
        'restore heap@GC',
        'load heap@GC',
        'load avg',
      ],
      ps.map(({ n, restore: x = {}, loadMs, maxRssMB, heapAfterGcMB }) => [
        String(n),
        fmt(x.sourceMs / 1000, 2),
        fmt(x.storeLoadMs / 1000, 2),
        fmt(x.restoreMs / 1000, 2),
        fmt(x.otherMs / 1000, 2),
        fmt(x.totalMs / 1000, 2),
        `| ${fmt(loadMs / 1000, 2)}`,
        `${fmt(x.totalMs / loadMs, 2)} (${fmt(loadMs / x.totalMs, 1)}x faster)`,
        fmt(x.maxRssMB, 0),
        fmt(maxRssMB, 0),
        fmt(x.heapAfterGcMB, 0),
        fmt(heapAfterGcMB, 0),
        fmt(x.loadavg, 2),
      ]),
    );
    for (const r of ps) {
      if (r.persist.error) console.log(`   ${r.n}: the save: ${r.persist.error}; ${r.failure ?? ''}`);
      if (r.restore?.failure || r.restore?.error)
        console.log(`   ${r.n}: the restart FAILED: ${r.restore.failure ?? r.restore.error}`);
    }
    console.log(
      '   save = snapshot() (walks the documents, yielding) + store.save (writes V8 records to a temp file, ' +
        "fsyncs and renames), after ServeDocs' 1 s delay; longest block = the longest event-loop " +
        'stall during it (a query arriving then waits that long); other = fingerprint + log; ' +
        "RSS = the child's resourceUsage().maxRSS (the restart child sampled from /proc by the parent: " +
        `${ps.map((r) => `${r.n}: ${fmt(r.restore?.sampledPeakMB, 0)} MB`).join(', ')})`,
    );
    console.log(
      `   restart: logged 'docs index restored', same top 10 ids (and scores) as the built index, splits a refresh would reuse: ${ps
        .map(
          (r) =>
            `${r.n}: ${r.restore?.restored ? 'restored' : 'NOT restored'}, ${r.restore?.sameResults ?? '-'} (${r.restore?.sameScores ?? '-'}), ${r.restore?.reusable ?? '-'}`,
        )
        .join(
          '; ',
        )}; restore RSS after GC ${ps.map((r) => `${r.n}: ${fmt(r.restore?.rssAfterGcMB, 0)} MB`).join(', ')}`,
    );
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

/** A Logger that records every message it gets and echoes warnings to stderr, tagged. */
function recordingLogger(tag) {
  const logged = [];
  const logger = {
    debug() {},
    info(msg) {
      logged.push(msg);
    },
    warn(msg, fields) {
      logged.push(msg);
      process.stderr.write(`  [${tag}] warn ${msg} ${JSON.stringify(fields)}\n`);
    },
    error(msg, fields) {
      this.warn(msg, fields);
    },
  };
  return { logged, logger };
}

/** The Clock port on real timers (what SystemClock does, without its capped steps). */
function systemClock() {
  return {
    now: () => new Date(),
    setTimer: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
