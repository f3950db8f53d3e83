#!/usr/bin/env node
// The cost of one request (issue 12), side by side in one run: certdocs (dist/, plain HTTP, the
// Node.js docs) against a bare Hono app answering the same JSON (scripts/bench/bare-hono.mjs) and
// against the MCP SDK's stock stateless pattern serving the same tools over the same index
// (scripts/bench/sdk-stock-stateless.mjs). wrk drives every target in turn, round after round
// (the order rotates), and the rows compare medians:
//   healthz         GET /healthz                          vs bare Hono            target >= 0.5
//   fetch           MCP tools/call fetch, one small section vs bare Hono          target >= 0.4
//   fetch-vs-stock  the same MCP fetch                     vs SDK stock pattern   target >= 8
//   search          MCP tools/call search, the eval's questions in a cycle vs bare Hono  >= 0.2
// The bare app also sends the very bytes of the MCP fetch reply (GET /reply): the fetch row's note
// says how far a route that writes that much can go, MCP or not.
//
//   node scripts/bench-requests.mjs [--rounds 3] [--duration 5] [--connections 50] [--threads 2]
//                                   [--warmup 1] [--docs DIR] [--json FILE]
//
// Loopback only. Installs wrk (Debian) when it is missing and this runs as root. The servers and
// wrk share the machine's cores: the figures are ratios of one run, not absolute capacities.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildIfStale, startLocalServer } from '../test/harness/certdocs.mjs';
import { NO_NODE_DOCS_REASON, NODE_DOCS } from '../test/harness/corpus.mjs';
import { freePorts, LOOPBACK, launch, onExit, terminate } from '../test/harness/processes.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const WRK = '/usr/bin/wrk';
const PROTOCOL_VERSION = '2025-06-18';
/** The eval's result count (scripts/eval.mjs): what a client asking these questions gets. */
const SEARCH_LIMIT = 10;

const USAGE = `usage: node scripts/bench-requests.mjs [--rounds R=3] [--duration S=5] [--connections N=50]
       [--threads T=2] [--warmup S=1] [--docs DIR] [--json FILE]
`;

// ---------------------------------------------------------------- options
const opts = (() => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rounds: { type: 'string', default: '3' },
        duration: { type: 'string', default: '5' },
        connections: { type: 'string', default: '50' },
        threads: { type: 'string', default: '2' },
        warmup: { type: 'string', default: '1' },
        docs: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    usageError(e.message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) {
      usageError(`--${name} must be a whole number from ${min} to ${max}, got "${values[name]}"`);
    }
    return n;
  };
  const docs = values.docs ?? NODE_DOCS;
  if (!docs) usageError(NO_NODE_DOCS_REASON);
  return {
    rounds: int('rounds', 1, 20),
    duration: int('duration', 1, 60),
    connections: int('connections', 1, 1000),
    threads: int('threads', 1, 16),
    warmup: int('warmup', 0, 10),
    docs,
    json: values.json,
  };
})();

function usageError(message) {
  process.stderr.write(`bench-requests: ${message}\n${USAGE}`);
  process.exit(2);
}

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------- wrk
function ensureWrk() {
  if (existsSync(WRK)) return;
  log('bench-requests: wrk is missing; installing it (Debian package wrk)');
  const r = spawnSync('bash', ['-c', `. "${join(HERE, 'lib', 'apt.sh')}" && apt_install_missing wrk=wrk`], {
    stdio: 'inherit',
    env: { ...process.env, APT_LOG_PREFIX: '[bench-requests]' },
  });
  if (r.status !== 0 || !existsSync(WRK)) throw new Error(`${WRK} is needed: apt-get install -y wrk`);
}

/** One wrk run: requests per second, p99 latency (ms) and how many answers were not 2xx/3xx. */
function runWrk(url, script, seconds) {
  // A slow search is slow, not lost: the timeout only catches answers that never come.
  const args = [
    '-t',
    String(opts.threads),
    '-c',
    String(opts.connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    '10s',
    '--latency',
  ];
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (code !== 0 || !rps)
        return reject(new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${out}`));
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      // Timeouts only say an answer took over 10 s; connect, read and write errors are failures.
      const errors = socket?.slice(1, 4).some((n) => Number(n) > 0) ? socket[0] : undefined;
      resolve({
        rps: Number(rps[1]),
        p99: latencyMs(/\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out)),
        non2xx,
        errors,
      });
    });
  });
}

function latencyMs(m) {
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/**
 * A wrk Lua script that POSTs MCP requests with a real client's headers, cycling over `bodies`. One
 * body is set once (wrk formats the request once, as for the GET anchors): a Lua call per request
 * would cost the load generator, on the same cores, more than the requests it cycles.
 */
function mcpScript(dir, name, bodies) {
  const lua = [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    'wrk.headers["Accept"] = "application/json, text/event-stream"',
    `wrk.headers["MCP-Protocol-Version"] = "${PROTOCOL_VERSION}"`,
    ...(bodies.length === 1
      ? [`wrk.body = ${luaString(bodies[0])}`]
      : [
          `local bodies = { ${bodies.map((b) => luaString(b)).join(',\n  ')} }`,
          'local i = 0',
          'request = function()',
          '  i = i % #bodies + 1',
          '  return wrk.format(nil, nil, nil, bodies[i])',
          'end',
        ]),
    '',
  ].join('\n');
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, lua);
  return file;
}

/** A Lua long string cannot be closed early by the JSON inside it: pick a level it does not contain. */
function luaString(s) {
  let eq = '';
  while (s.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${s}]${eq}]`;
}

// ---------------------------------------------------------------- servers
/** Starts a Node anchor script and resolves once it prints {"listening":PORT}. */
async function startAnchor(name, script, args) {
  let resolveListening;
  const listening = new Promise((r) => {
    resolveListening = r;
  });
  const child = launch(name, process.execPath, [join(HERE, 'bench', script), ...args], {
    cwd: ROOT,
    keepChars: 20_000,
    onOutputLine: (line) => {
      if (line.startsWith('{"listening"')) resolveListening(JSON.parse(line).listening);
    },
  });
  const port = await Promise.race([
    listening,
    child.exited.then(() => {
      throw new Error(`${name} exited during start-up:\n${child.stderr()}`);
    }),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${name} did not start within 120 s:\n${child.stderr()}`)), 120_000),
    ),
  ]);
  return { child, base: `http://${LOOPBACK}:${port}`, stop: () => terminate(child, 3000) };
}

const rpc = (id, name, args) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** POST /mcp with the headers wrk sends; the reply's text. */
async function mcpPost(base, body) {
  const res = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_VERSION,
    },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${base}/mcp: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** One MCP tools/call; the tool's structured result. */
async function callTool(base, name, args) {
  const text = await mcpPost(base, rpc(1, name, args));
  const reply = JSON.parse(text.startsWith('event:') ? text.slice(text.indexOf('data: ') + 6) : text);
  if (reply.error || reply.result?.isError) {
    throw new Error(`${base}/mcp ${name}: ${JSON.stringify(reply.error ?? reply.result).slice(0, 300)}`);
  }
  return reply.result.structuredContent;
}

/**
 * A small section of the corpus: the first of fs (else of the first document) whose fetch, with
 * its subsections, returns 300–1500 characters.
 */
async function smallSection(base) {
  const listed = await callTool(base, 'list_documents', { limit: 500 });
  const ids = listed.documents.map((d) => d.id);
  const docId = ids.includes('fs') ? 'fs' : ids[0];
  const outline = await callTool(base, 'outline', { id: docId });
  for (const [i, s] of outline.sections.entries()) {
    const leaf = (outline.sections[i + 1]?.level ?? 0) <= s.level;
    if (!leaf || s.chars < 300 || s.chars > 1500) continue;
    const fetched = await callTool(base, 'fetch', { id: s.id });
    if (fetched.metadata.totalChars >= 300 && fetched.metadata.totalChars <= 1500) return s.id;
  }
  throw new Error(`no section of ${docId} fetches as 300–1500 characters`);
}

function versionOf(pkg) {
  // Not require(`${pkg}/package.json`): a package's exports map may hide it.
  const file = join(ROOT, 'node_modules', ...pkg.split('/'), 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'unknown';
}

function wrkVersion() {
  const r = spawnSync(WRK, ['-v'], { encoding: 'utf8' });
  return /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

// ---------------------------------------------------------------- statistics and output
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (n, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const fmtRps = (n) => (n >= 1000 ? `${(n / 1000).toFixed(2)}k` : n.toFixed(0));

// ---------------------------------------------------------------- main
async function main() {
  ensureWrk();
  buildIfStale();
  const tmp = mkdtempSync(join(os.tmpdir(), 'certdocs-bench-requests-'));
  onExit(() => rmSync(tmp, { recursive: true, force: true }));

  log(`bench-requests: starting certdocs and the anchors over ${opts.docs}`);
  const certdocs = await startLocalServer({ args: ['--docs', opts.docs] });
  const healthBody = await (await fetch(`${certdocs.base}/healthz`)).text();
  const bodyFile = join(tmp, 'healthz.json');
  writeFileSync(bodyFile, healthBody);
  // The bytes of an MCP fetch reply, for the bare app to send as they are (the ceiling row).
  const sectionId = await smallSection(certdocs.base);
  const fetchBody = rpc(1, 'fetch', { id: sectionId });
  const fetchReply = await mcpPost(certdocs.base, fetchBody);
  const replyFile = join(tmp, 'fetch-reply.json');
  writeFileSync(replyFile, fetchReply);
  const [barePort, stockPort] = await freePorts(2);
  const bare = await startAnchor('bare-hono', 'bare-hono.mjs', [
    '--port',
    String(barePort),
    '--body',
    bodyFile,
    '--reply',
    replyFile,
  ]);
  const stock = await startAnchor('sdk-stock', 'sdk-stock-stateless.mjs', [
    '--port',
    String(stockPort),
    '--docs',
    opts.docs,
  ]);

  // What is asked, and a check that both MCP servers answer it (and alike).
  const fetched = await callTool(certdocs.base, 'fetch', { id: sectionId });
  const fetchedStock = await callTool(stock.base, 'fetch', { id: sectionId });
  if (fetched.text !== fetchedStock.text)
    throw new Error('certdocs and the stock anchor fetch different texts');
  const bareBody = await (await fetch(`${bare.base}/healthz`)).text();
  if (JSON.stringify(JSON.parse(bareBody)) !== JSON.stringify(JSON.parse(healthBody))) {
    throw new Error('the bare Hono app does not answer the same JSON as /healthz');
  }
  const questions = JSON.parse(readFileSync(join(ROOT, 'eval', 'nodejs-questions.json'), 'utf8')).map(
    (q) => q.q,
  );
  for (const q of questions) await callTool(certdocs.base, 'search', { query: q, limit: SEARCH_LIMIT });
  const searchBodies = questions.map((q, i) => rpc(i + 1, 'search', { query: q, limit: SEARCH_LIMIT }));

  const targets = {
    bare: { label: 'bare Hono /healthz', url: `${bare.base}/healthz` },
    bareReply: { label: 'bare Hono, fetch bytes', url: `${bare.base}/reply` },
    healthz: { label: 'certdocs /healthz', url: `${certdocs.base}/healthz` },
    fetch: {
      label: 'certdocs MCP fetch',
      url: `${certdocs.base}/mcp`,
      script: mcpScript(tmp, 'fetch', [fetchBody]),
    },
    stock: {
      label: 'SDK stock MCP fetch',
      url: `${stock.base}/mcp`,
      script: mcpScript(tmp, 'stock', [fetchBody]),
    },
    search: {
      label: 'certdocs MCP search',
      url: `${certdocs.base}/mcp`,
      script: mcpScript(tmp, 'search', searchBodies),
    },
  };
  const order = Object.keys(targets);
  const samples = Object.fromEntries(order.map((k) => [k, []]));
  const p99 = Object.fromEntries(order.map((k) => [k, []]));
  const failures = [];

  if (opts.warmup > 0) {
    log(`bench-requests: warming up (${opts.warmup} s each)`);
    for (const k of order) await runWrk(targets[k].url, targets[k].script, opts.warmup);
  }
  for (let r = 0; r < opts.rounds; r++) {
    // Rotate who goes first: a machine that slows down over the run penalizes no one target.
    const turn = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
    for (const k of turn) {
      const t = targets[k];
      const res = await runWrk(t.url, t.script, opts.duration);
      samples[k].push(res.rps);
      if (res.p99 !== undefined) p99[k].push(res.p99);
      if (res.non2xx > 0 || res.errors) {
        failures.push(
          `${t.label}, round ${r + 1}: ${res.non2xx} non-2xx answers${res.errors ? `; ${res.errors}` : ''}`,
        );
      }
      log(
        `  round ${r + 1}/${opts.rounds}  ${t.label.padEnd(22)} ${fmtRps(res.rps).padStart(8)} req/s  p99 ${res.p99 ?? '-'} ms`,
      );
    }
  }
  await Promise.all([certdocs.stop(), bare.stop(), stock.stop()]);

  const measure = (what) =>
    `${what}, wrk ${opts.connections} connections ${opts.threads} threads, ${opts.duration} s × ${opts.rounds} rounds, interleaved`;
  const row = (key, mine, anchorKey, anchorName, target, what, note) => {
    const certdocsMedian = median(samples[mine]);
    const anchorMedian = median(samples[anchorKey]);
    const ratio = certdocsMedian / anchorMedian;
    return {
      key,
      measure: measure(what),
      unit: 'rps',
      certdocs: round(certdocsMedian),
      anchor: { name: anchorName, value: round(anchorMedian) },
      ratio: round(ratio, 3),
      target: { op: '>=', value: target },
      pass: failures.length === 0 && ratio >= target,
      samples: {
        certdocs: samples[mine].map((x) => round(x)),
        anchor: samples[anchorKey].map((x) => round(x)),
      },
      p99ms: { certdocs: round(median(p99[mine]), 2), anchor: round(median(p99[anchorKey]), 2) },
      ...(note ? { note } : {}),
    };
  };
  const rows = [
    row('healthz', 'healthz', 'bare', 'bare Hono app', 0.5, 'GET /healthz (plain HTTP, Node.js docs)'),
    row(
      'fetch',
      'fetch',
      'bare',
      'bare Hono app',
      0.4,
      `MCP tools/call fetch of ${sectionId} (${fetched.text.length} chars, a ${fetchReply.length}-byte reply)`,
      `the bare app sending the same ${fetchReply.length} bytes (GET, no MCP) does ${fmtRps(median(samples.bareReply))} req/s, ${(median(samples.bareReply) / median(samples.bare)).toFixed(2)} of its /healthz: the ceiling of this ratio`,
    ),
    row(
      'fetch-vs-stock',
      'fetch',
      'stock',
      'SDK stock stateless pattern',
      8,
      `MCP tools/call fetch of ${sectionId}`,
      'the anchor: a new McpServer + StreamableHTTPServerTransport per request (enableJsonResponse) on createMcpExpressApp, same tools and index',
    ),
    row(
      'search',
      'search',
      'bare',
      'bare Hono app',
      0.2,
      `MCP tools/call search, ${questions.length} eval questions in a cycle, limit ${SEARCH_LIMIT}`,
    ),
  ];
  const meta = {
    node: process.version,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    anchors: {
      hono: versionOf('hono'),
      '@hono/node-server': versionOf('@hono/node-server'),
      '@modelcontextprotocol/sdk': versionOf('@modelcontextprotocol/sdk'),
      express: versionOf('express'),
      wrk: wrkVersion(),
    },
    corpus: opts.docs,
    documents: JSON.parse(healthBody).docs?.documents,
    section: sectionId,
    fetchReplyBytes: fetchReply.length,
    bareSameBytes: { rps: round(median(samples.bareReply)), samples: samples.bareReply.map((x) => round(x)) },
    questions: questions.length,
    rounds: opts.rounds,
    durationS: opts.duration,
    connections: opts.connections,
    threads: opts.threads,
    protocolVersion: PROTOCOL_VERSION,
    ...(failures.length ? { failures } : {}),
  };

  const lines = [
    '',
    `bench-requests: node ${meta.node}, ${meta.nproc} cores, hono ${meta.anchors.hono}, @hono/node-server ${meta.anchors['@hono/node-server']}, SDK ${meta.anchors['@modelcontextprotocol/sdk']}, wrk ${meta.anchors.wrk}`,
    '',
    '| row | certdocs req/s | anchor | anchor req/s | ratio | target | |',
    '| --- | ---: | --- | ---: | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.key} | ${fmtRps(r.certdocs)} | ${r.anchor.name} | ${fmtRps(r.anchor.value)} | ${r.ratio.toFixed(r.ratio >= 10 ? 1 : 2)} | ${r.target.op} ${r.target.value} | ${r.pass ? 'ok' : 'MISS'} |`,
    ),
    '',
    `fetch: ${rows[1].note}`,
    ...failures.map((f) => `failed requests: ${f}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify({ part: 'requests', meta, rows }, null, 2)}\n`);
    log(`bench-requests: wrote ${opts.json}`);
  }
  if (failures.length) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench-requests: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
