#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ENTRY, ROOT, startLocalServer } from '../test/harness/certdocs.mjs';
import { CORPORA, NODE_DOCS } from '../test/harness/corpus.mjs';
import { connectMcp } from '../test/harness/mcp-client.mjs';

const LIMIT = 10;
const WORST = 10;

function die(message, code = 1) {
  process.stderr.write(`eval: ${message}\n`);
  // test/harness kills the server on exit
  process.exit(code);
}

let opts;
try {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      misses: { type: 'string', default: 'dev' },
      questions: { type: 'string', default: join(ROOT, 'eval', 'nodejs-questions.json') },
      docs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: node scripts/eval.mjs [--json] [--misses dev|test|all] [--questions FILE] [--docs DIR]\n',
    );
    process.exit(0);
  }
  if (!['dev', 'test', 'all'].includes(values.misses)) die('--misses must be dev, test or all', 2);
  opts = values;
} catch (e) {
  die(e.message, 2);
}

if (!existsSync(ENTRY))
  die(`${ENTRY} does not exist: run "npm run build" first (this script builds nothing).`);
const corpus = opts.docs ?? NODE_DOCS;
if (!corpus || !existsSync(corpus))
  die(`no Node.js API docs found (looked in ${opts.docs ?? CORPORA.join(', ')}); pass --docs DIR`);

// ---------------------------------------------------------------- server lifecycle
let indexedLog;
let server; // from startLocalServer()

async function startServer() {
  try {
    // log-level info: the "docs indexed" line carries the load + index time.
    server = await startLocalServer({
      args: ['--docs', corpus],
      logLevel: 'info',
      onStderrLine: (line) => {
        if (indexedLog || !line.includes('docs indexed')) return;
        try {
          indexedLog = JSON.parse(line);
        } catch {
          // not JSON: ignore
        }
      },
    });
  } catch (e) {
    die(e.message);
  }
  return server.base;
}

const stopServer = () => server?.stop();

// ---------------------------------------------------------------- helpers
/** Heading text as a reader sees it: no Markdown code/escapes/links/tags, single spaces, lower case. */
function normHeading(s) {
  return s
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|'"])/g, '$1')
    .replace(/`/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

async function callTool(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}(${JSON.stringify(args)}) failed: ${r.content?.[0]?.text}`);
  return r.structuredContent ?? JSON.parse(r.content[0].text);
}

function pct(sorted, p) {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Optional: the index's own analyzer (dist/domain/text-analysis.js, with its stemmer) to check snippets. */
async function loadAnalyzer() {
  const file = join(ROOT, 'dist', 'domain', 'text-analysis.js');
  const stemmer = join(ROOT, 'dist', 'adapters', 'stemmer', 'porter-stemmer.js');
  if (!existsSync(file) || !existsSync(stemmer)) return undefined;
  try {
    const { TextAnalysis } = await import(pathToFileURL(file).href);
    const { PorterStemmer } = await import(pathToFileURL(stemmer).href);
    return typeof TextAnalysis === 'function' ? new TextAnalysis(new PorterStemmer()).analyze : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- run
const questions = JSON.parse(readFileSync(opts.questions, 'utf8'));
if (!Array.isArray(questions) || questions.length === 0) die(`${opts.questions}: expected a non-empty array`);

const base = await startServer();
const client = await connectMcp(`${base}/mcp`, { name: 'certdocs-eval', version: '0.1.0' });

// Outline of every judged document: normalized heading → section ids, and each section's subtree.
const outlines = new Map();
for (const docId of new Set(questions.flatMap((q) => q.answers.map((a) => a.doc.replace(/\.md$/, ''))))) {
  const o = await callTool(client, 'outline', { id: docId });
  const byHeading = new Map();
  const subtree = new Map();
  o.sections.forEach((s, i) => {
    const key = normHeading(s.title);
    byHeading.set(key, [...(byHeading.get(key) ?? []), s.id]);
    const ids = new Set([s.id]);
    for (let j = i + 1; j < o.sections.length && o.sections[j].level > s.level && s.level > 0; j++)
      ids.add(o.sections[j].id);
    subtree.set(s.id, ids);
  });
  outlines.set(docId, { byHeading, subtree });
}

const unmapped = [];
let ambiguous = 0;
const judged = questions.map((q, i) => {
  const exact = new Set();
  const lenient = new Set();
  const docs = new Set();
  for (const a of q.answers) {
    const docId = a.doc.replace(/\.md$/, '');
    docs.add(docId);
    const ids = outlines.get(docId)?.byHeading.get(normHeading(a.heading)) ?? [];
    if (ids.length === 0) unmapped.push({ index: i, q: q.q, doc: a.doc, heading: a.heading });
    if (ids.length > 1) ambiguous++;
    for (const id of ids) {
      exact.add(id);
      for (const sub of outlines.get(docId).subtree.get(id) ?? []) lenient.add(sub);
    }
  }
  return { exact, lenient, docs };
});
if (unmapped.length) {
  for (const u of unmapped)
    process.stderr.write(`  unmapped #${u.index}: ${u.doc} "${u.heading}" (${u.q})\n`);
  await client.close().catch(() => {});
  await stopServer();
  die(`${unmapped.length} judged heading(s) could not be mapped to an indexed section`);
}

const analyze = await loadAnalyzer();
for (const q of questions.slice(0, 5)) await callTool(client, 'search', { query: q.q, limit: LIMIT }); // warm-up

const runs = [];
const latencies = [];
let snippetsChecked = 0;
let snippetsWithTerm = 0;
for (const [i, q] of questions.entries()) {
  const t0 = performance.now();
  const out = await callTool(client, 'search', { query: q.q, limit: LIMIT, maxChars: 80_000 });
  latencies.push(performance.now() - t0);
  const results = out.results.slice(0, LIMIT);
  const j = judged[i];
  const rankOf = (pred) => {
    const k = results.findIndex(pred);
    return k < 0 ? undefined : k + 1;
  };
  runs.push({
    index: i,
    split: i % 2 === 0 ? 'dev' : 'test',
    q: q.q,
    expected: q.answers.map((a) => `${a.doc.replace(/\.md$/, '')} › ${a.heading}`),
    top: results.slice(0, 3).map((r) => `${r.id}  (${r.headingPath.at(-1) ?? r.title})`),
    section: rankOf((r) => j.exact.has(r.id)),
    lenient: rankOf((r) => j.lenient.has(r.id)),
    document: rankOf((r) => j.docs.has(r.document)),
  });
  if (analyze && results[0]) {
    const qt = new Set(analyze(q.q));
    snippetsChecked++;
    if (analyze(results[0].snippet).some((t) => qt.has(t))) snippetsWithTerm++;
  }
}
await client.close().catch(() => {});
await stopServer();

function figures(rows, key) {
  const n = rows.length;
  const r = rows.map((x) => x[key]);
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    n,
    hit1: round(r.filter((k) => k === 1).length / n),
    hit5: round(r.filter((k) => k !== undefined && k <= 5).length / n),
    mrr10: round(r.reduce((s, k) => s + (k !== undefined && k <= 10 ? 1 / k : 0), 0) / n),
  };
}
const splits = {
  all: runs,
  dev: runs.filter((r) => r.split === 'dev'),
  test: runs.filter((r) => r.split === 'test'),
};
const table = {};
for (const [name, rows] of Object.entries(splits))
  table[name] = {
    section: figures(rows, 'section'),
    sectionLenient: figures(rows, 'lenient'),
    document: figures(rows, 'document'),
  };
const sorted = [...latencies].sort((a, b) => a - b);
const latency = {
  p50: Math.round(pct(sorted, 50) * 10) / 10,
  p99: Math.round(pct(sorted, 99) * 10) / 10,
  max: Math.round(sorted[sorted.length - 1] * 10) / 10,
};
const missPool = opts.misses === 'all' ? runs : splits[opts.misses];
const worst = missPool
  .filter((r) => r.section !== 1)
  .sort((a, b) => (b.section ?? 99) - (a.section ?? 99) || (b.document ?? 99) - (a.document ?? 99))
  .slice(0, WORST);
const report = {
  corpus,
  questions: questions.length,
  unmappedHeadings: unmapped.length,
  ambiguousHeadings: ambiguous,
  index: indexedLog
    ? { documents: indexedLog.documents, sections: indexedLog.sections, loadAndBuildMs: indexedLog.ms }
    : null,
  latencyMs: latency,
  snippetHasQueryTerm: analyze ? { top1: snippetsWithTerm, of: snippetsChecked } : null,
  figures: table,
  // Every question's ranks in the --misses split, to compare two rankings question by question.
  ranks: missPool.map((r) => ({ index: r.index, section: r.section ?? null, document: r.document ?? null })),
  worstMisses: worst.map((r) => ({
    index: r.index,
    split: r.split,
    q: r.q,
    sectionRank: r.section ?? null,
    documentRank: r.document ?? null,
    expected: r.expected,
    top3: r.top,
  })),
};

if (opts.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const f = (x) => x.toFixed(3);
  const out = [];
  out.push(
    `corpus ${corpus}: ${report.index?.documents ?? '?'} documents, ${report.index?.sections ?? '?'} sections`,
  );
  out.push(`load + index build: ${report.index?.loadAndBuildMs ?? '?'} ms (server log)`);
  out.push(
    `questions ${questions.length}, unmapped judged headings ${unmapped.length}, headings matching >1 section ${ambiguous}`,
  );
  out.push(
    `search latency (MCP round trip, limit ${LIMIT}): p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms`,
  );
  if (report.snippetHasQueryTerm)
    out.push(`top-1 snippets containing a query term: ${snippetsWithTerm}/${snippetsChecked}`);
  out.push('');
  out.push('split  n    level            Hit@1  Hit@5  MRR@10');
  for (const [name, t] of Object.entries(table))
    for (const [level, label] of [
      ['section', 'section (exact)'],
      ['sectionLenient', 'section+subsec.'],
      ['document', 'document'],
    ])
      out.push(
        `${name.padEnd(6)} ${String(t[level].n).padEnd(4)} ${label.padEnd(16)} ${f(t[level].hit1)}  ${f(t[level].hit5)}  ${f(t[level].mrr10)}`,
      );
  out.push('');
  out.push(`worst ${worst.length} section-level misses (${opts.misses} split):`);
  for (const r of worst) {
    out.push(`#${r.index} "${r.q}" — section rank ${r.section ?? '>10'}, doc rank ${r.document ?? '>10'}`);
    out.push(`    expected: ${r.expected.join(' | ')}`);
    for (const t of r.top) out.push(`    got: ${t}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
process.exit(0);
