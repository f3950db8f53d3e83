#!/usr/bin/env node
// Search cost in process, two builds side by side (issue 12): ServeDocs.search of one build
// against another's over the same corpus, in one process, rounds interleaved (the order
// alternating), CPU time per query (process.cpuUsage: on a shared machine, wall time mostly
// measures the neighbours). Every query must give the same results (ids, titles, snippets,
// scores) in both builds, or the script fails.
//
//   node scripts/bench-search.mjs --base DIR [--dist DIR] [--docs DIR | --corpus DIR]
//                                 [--rounds 7] [--cycles 4] [--json FILE]
//
// --base / --dist: build output folders (`dist/` of a checkout with `npm run build` run, e.g.
// `git worktree add ../certdocs-old <commit>`; the default --dist is this checkout's dist/).
// Queries: the eval's 140 questions (limit 10) over the Node.js docs (--docs, default the harness's
// copy), or, with --corpus (a folder scripts/gen-corpus.mjs made), bench-scale's 200 synthetic
// queries after its 20 warm-up ones. Per build and round: the median and p99 of the per-query CPU
// time; the first round of each build meets its snippet cache cold (bench-scale's p99 is that
// pass), later rounds warm. The eval cycle's queries repeat, so its rounds are warm throughout.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { NO_NODE_DOCS_REASON, NODE_DOCS } from '../test/harness/corpus.mjs';
import { makeQueries } from './gen-corpus.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    dist: { type: 'string', default: join(ROOT, 'dist') },
    docs: { type: 'string' },
    corpus: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    cycles: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
  strict: true,
});
if (!values.base) {
  process.stderr.write('bench-search: --base DIR (the build to compare with) is required\n');
  process.exit(2);
}
const rounds = Number(values.rounds);
const cycles = values.corpus ? 1 : Number(values.cycles);
const corpus = values.corpus ?? values.docs ?? NODE_DOCS;
if (!corpus) {
  process.stderr.write(`bench-search: ${NO_NODE_DOCS_REASON}\n`);
  process.exit(2);
}

const logger = { debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };
const clock = {
  now: () => new Date(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

async function load(dist) {
  const imp = (p) => import(pathToFileURL(join(resolve(dist), p)).href);
  await import('reflect-metadata');
  const { ServeDocs } = await imp('domain/serve-docs.js');
  const { IndexTools } = await imp('domain/index-tools.js');
  const { MarkedSectionSplitter } = await imp('adapters/marked/marked-section-splitter.js');
  const { PorterStemmer } = await imp('adapters/stemmer/porter-stemmer.js');
  const { FieldedBm25SearchEngine } = await imp('adapters/minisearch/fielded-bm25-search-engine.js');
  const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
  const tools = new IndexTools(
    new MarkedSectionSplitter(),
    new PorterStemmer(),
    new FieldedBm25SearchEngine(),
  );
  const serve = new ServeDocs(new FsMarkdownDocSource(corpus, logger), clock, logger, tools);
  const started = performance.now();
  await serve.load();
  process.stderr.write(
    `bench-search: ${dist} loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return serve;
}

let warmup = [];
let queries;
if (values.corpus) {
  // bench-scale.mjs's queries (same generator, same key).
  const all = makeQueries(
    JSON.parse(readFileSync(join(corpus, '.vocab.json'), 'utf8')),
    220,
    'queries:1',
  ).map((x) => x.q);
  warmup = all.slice(0, 20);
  queries = all.slice(20);
} else {
  queries = JSON.parse(readFileSync(join(ROOT, 'eval', 'nodejs-questions.json'), 'utf8')).map((q) => q.q);
}

const builds = { base: await load(values.base), dist: await load(values.dist) };
for (const serve of Object.values(builds)) for (const q of warmup) serve.search({ query: q, limit: 10 });

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
function pass(serve) {
  const us = [];
  for (let c = 0; c < cycles; c++)
    for (const query of queries) {
      const t = process.cpuUsage();
      serve.search({ query, limit: 10 });
      const u = process.cpuUsage(t);
      us.push(u.user + u.system);
    }
  us.sort((a, b) => a - b);
  return {
    median: quantile(us, 0.5),
    p99: quantile(us, 0.99),
    mean: us.reduce((a, b) => a + b, 0) / us.length,
  };
}

const samples = { base: [], dist: [] };
for (let r = 0; r < rounds; r++)
  for (const name of r % 2 ? ['dist', 'base'] : ['base', 'dist']) {
    const s = pass(builds[name]);
    samples[name].push(s);
    process.stderr.write(
      `  round ${r + 1} ${name.padEnd(4)} median ${s.median} µs, p99 ${s.p99} µs, mean ${s.mean.toFixed(0)} µs\n`,
    );
  }

let differing = 0;
for (const query of queries) {
  const a = JSON.stringify(builds.base.search({ query, limit: 10 }).results);
  const b = JSON.stringify(builds.dist.search({ query, limit: 10 }).results);
  if (a !== b) differing++;
}

const summary = Object.fromEntries(
  Object.entries(samples).map(([name, xs]) => [
    name,
    {
      coldP99: xs[0].p99,
      median: median(xs.map((x) => x.median)),
      p99: median(xs.map((x) => x.p99)),
      mean: median(xs.map((x) => x.mean)),
    },
  ]),
);
const ratio = (k) => (summary.dist[k] / summary.base[k]).toFixed(3);
process.stdout.write(
  [
    `bench-search: ${queries.length} queries${cycles > 1 ? ` × ${cycles}` : ''}, ${rounds} rounds interleaved, CPU µs per ServeDocs.search (limit 10), medians of the rounds`,
    `  base ${values.base}: median ${summary.base.median}, p99 ${summary.base.p99}, mean ${summary.base.mean.toFixed(0)}, first-round p99 ${summary.base.coldP99}`,
    `  dist ${values.dist}: median ${summary.dist.median}, p99 ${summary.dist.p99}, mean ${summary.dist.mean.toFixed(0)}, first-round p99 ${summary.dist.coldP99}`,
    `  dist / base: median ${ratio('median')}, p99 ${ratio('p99')}, mean ${ratio('mean')}, first-round p99 ${ratio('coldP99')}`,
    `  results differing: ${differing} of ${queries.length}`,
    '',
  ].join('\n'),
);
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify({ corpus, queries: queries.length, cycles, rounds, summary, samples, differing }, null, 2),
  );
if (differing) process.exit(1);
