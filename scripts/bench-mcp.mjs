#!/usr/bin/env node
// Throughput/latency of the MCP search tool (POST /mcp, stateless JSON-RPC `tools/call`) against
// the same search over the plain JSON route (GET /api/search), on the built server (dist/).
//
//   npm run build && node scripts/bench-mcp.mjs [--duration 10] [--connections 50] [--rounds 3] [--auth]
//
// --auth also starts a second server with `--auth token` and measures the same MCP search there
// with an Authorization header, in the same rounds: the cost of access control.
// The server runs as a child process; autocannon runs in this process. The two compete for the
// machine's cores, as a server and its clients would on one host: figures are relative, not absolute.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ENTRY, startLocalServer } from '../test/harness/certdocs.mjs';
import { CORPORA, NODE_DOCS } from '../test/harness/corpus.mjs';
import { sleep } from '../test/harness/processes.mjs';
import { QUERIES } from './lib/queries.mjs';

const WARMUP_S = 2;
const LIMIT = 5;

// ---------------------------------------------------------------- options
function fail(message) {
  process.stderr.write(`bench-mcp: ${message}\n`);
  process.exitCode = 1;
  throw new BenchError(message);
}
class BenchError extends Error {}

let opts;
try {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      auth: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: node scripts/bench-mcp.mjs [--duration S=10] [--connections N=50] [--rounds R=3] [--auth]\n',
    );
    process.exit(0);
  }
  const int = (name, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      process.stderr.write(
        `bench-mcp: --${name} must be a whole number from 1 to ${max}, got "${values[name]}"\n`,
      );
      process.exit(2);
    }
    return n;
  };
  opts = {
    duration: int('duration', 600),
    connections: int('connections', 1000),
    rounds: int('rounds', 20),
    auth: values.auth,
  };
} catch (e) {
  process.stderr.write(`bench-mcp: ${e.message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------- server lifecycle
let server; // from startLocalServer()
let guarded; // with --auth: a second server, `--auth token`

async function startServer(corpus, args = []) {
  try {
    return await startLocalServer({ args: ['--docs', corpus, ...args] });
  } catch (e) {
    fail(e.message);
  }
}

/** CPU seconds (user+sys) the server process has used so far; undefined off Linux. */
function serverCpuSeconds(srv) {
  try {
    const stat = readFileSync(`/proc/${srv.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- requests
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const mcpBody = (query, id) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'search', arguments: { query, limit: LIMIT } },
  });
const plainPath = (query) => `/api/search?q=${encodeURIComponent(query)}&limit=${LIMIT}`;

// Static, pre-built requests (no per-request rebuild in the load generator): each connection cycles
// through all queries; the MCP side has 100 distinct JSON-RPC ids.
const PLAIN_REQUESTS = QUERIES.map((q) => ({ method: 'GET', path: plainPath(q) }));
const MCP_REQUESTS = Array.from({ length: 100 }, (_, i) => ({
  method: 'POST',
  path: '/mcp',
  headers: MCP_HEADERS,
  body: mcpBody(QUERIES[i % QUERIES.length], i + 1),
}));

// With --auth: the same requests with the token the guarded server's tokens file holds.
const TOKEN = randomBytes(32).toString('base64url');
const MCP_TOKEN_REQUESTS = MCP_REQUESTS.map((r) => ({
  ...r,
  headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` },
}));

// Cheap body checks run on every response during the load (counted as autocannon "mismatches").
const verifyPlain = (body) => body.startsWith('{"results":[{');
const verifyMcp = (body) =>
  body.includes('"result":') && body.includes('\\"results\\":[{') && !body.includes('"isError":true');

async function verifyEndpoints(base) {
  let sameTop = 0;
  for (const [i, q] of QUERIES.entries()) {
    const p = await fetch(base + plainPath(q));
    const pText = await p.text();
    if (p.status !== 200) fail(`GET /api/search for "${q}": HTTP ${p.status}: ${pText.slice(0, 300)}`);
    const plain = JSON.parse(pText);
    if (!Array.isArray(plain.results) || plain.results.length === 0)
      fail(`GET /api/search for "${q}": no results: ${pText.slice(0, 300)}`);
    if (!verifyPlain(pText)) fail(`GET /api/search for "${q}": body check failed: ${pText.slice(0, 300)}`);

    const m = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: mcpBody(q, 1000 + i),
    });
    const mText = await m.text();
    if (m.status !== 200)
      fail(`POST /mcp tools/call search "${q}": HTTP ${m.status}: ${mText.slice(0, 300)}`);
    let rpc;
    try {
      rpc = JSON.parse(mText);
    } catch {
      fail(
        `POST /mcp tools/call search "${q}": reply is not JSON (content-type ${m.headers.get('content-type')}): ${mText.slice(0, 300)}`,
      );
    }
    if (rpc.error) fail(`POST /mcp tools/call search "${q}": JSON-RPC error ${JSON.stringify(rpc.error)}`);
    if (rpc.id !== 1000 + i)
      fail(`POST /mcp tools/call search "${q}": reply id ${rpc.id}, expected ${1000 + i}`);
    if (rpc.result?.isError)
      fail(
        `POST /mcp tools/call search "${q}": tool error: ${JSON.stringify(rpc.result.content).slice(0, 300)}`,
      );
    let results = rpc.result?.structuredContent?.results;
    if (!results) {
      try {
        results = JSON.parse(rpc.result?.content?.[0]?.text ?? 'null')?.results;
      } catch {
        // handled below
      }
    }
    if (!Array.isArray(results) || results.length === 0)
      fail(`POST /mcp tools/call search "${q}": no results: ${mText.slice(0, 300)}`);
    if (!verifyMcp(mText))
      fail(`POST /mcp tools/call search "${q}": body check failed: ${mText.slice(0, 300)}`);
    if (results[0].id === plain.results[0].id) sameTop++;
  }
  return { sameTop };
}

// ---------------------------------------------------------------- load
function cannon(base, kind, duration) {
  const mcp = kind !== 'plain';
  return new Promise((res, rej) => {
    const instance = autocannon(
      {
        url: base,
        connections: opts.connections,
        pipelining: 1,
        duration,
        requests: kind === 'mcp+token' ? MCP_TOKEN_REQUESTS : mcp ? MCP_REQUESTS : PLAIN_REQUESTS,
        verifyBody: mcp ? verifyMcp : verifyPlain,
      },
      (err, result) => (err ? rej(err) : res(result)),
    );
    instance.on('error', rej);
  });
}

async function measure(base, kind, duration, srv = server) {
  const cpu0 = serverCpuSeconds(srv);
  const gen0 = process.cpuUsage();
  const r = await cannon(base, kind, duration);
  const cpu1 = serverCpuSeconds(srv);
  const gen = process.cpuUsage(gen0);
  if (srv.exited())
    fail(`the server died during the ${kind} run (code ${srv.child.exitCode}):\n${srv.stderr().trim()}`);
  await sleep(250); // let closed sockets drain before the next run
  return {
    rps: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    mismatches: r.mismatches,
    serverCpu: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / r.duration,
    genCpu: (gen.user + gen.system) / 1e6 / r.duration,
  };
}

// ---------------------------------------------------------------- report helpers
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtRps = (n) => n.toFixed(0).padStart(8);
const fmtMs = (n) => n.toFixed(1).padStart(7);
const fmtCpu = (n) => (n === undefined ? '     n/a' : `${(n * 100).toFixed(0)}%`.padStart(8));
const row = (label, s) =>
  `  ${label.padEnd(14)} ${fmtRps(s.rps)} ${fmtMs(s.p50)} ${fmtMs(s.p99)} ${fmtCpu(s.serverCpu)} ${fmtCpu(s.genCpu)}`;
const HEADER = `  ${''.padEnd(14)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'srv cpu'.padStart(8)} ${'gen cpu'.padStart(8)}`;
const log = (s = '') => process.stdout.write(`${s}\n`);

// ---------------------------------------------------------------- main
async function main() {
  if (!existsSync(ENTRY)) fail(`${ENTRY} not found: build first with \`npm run build\``);
  const corpus = NODE_DOCS;
  if (!corpus)
    fail(`no Node.js API docs corpus (looked in ${CORPORA.join(', ')}): run scripts/install-test-deps.sh`);

  const perRun = opts.duration + 1;
  const sides = opts.auth ? 3 : 2;
  const budgetS = 90 + sides * (WARMUP_S + 1) + opts.rounds * sides * perRun + 30;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench-mcp: did not finish within ${budgetS} s, giving up\n`);
    process.exit(1); // test/harness kills the server on exit
  }, budgetS * 1000);
  watchdog.unref();

  server = await startServer(corpus);
  const { base, health } = server;
  let tokensDir;
  if (opts.auth) {
    tokensDir = mkdtempSync(join(os.tmpdir(), 'certdocs-bench-auth-'));
    writeFileSync(join(tokensDir, 'tokens'), `${TOKEN}\n`, { mode: 0o600 });
    guarded = await startServer(corpus, ['--auth', 'token', '--auth-tokens-file', join(tokensDir, 'tokens')]);
  }
  const cpus = os.cpus();
  log('certdocs MCP vs plain-HTTP search benchmark');
  log(
    `  node ${process.version}, ${os.platform()}/${os.arch()}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? '?'})`,
  );
  log(`  corpus ${corpus}: ${health.docs?.documents} documents, ${health.docs?.sections} sections`);
  log(`  server pid ${server.child.pid} at ${base} (separate process; autocannon runs in this process,`);
  log(`    so server and load generator compete for the ${cpus.length} CPUs, like a co-located deployment)`);
  log(
    `  ${opts.connections} connections, pipelining 1, keep-alive; ${QUERIES.length} rotating queries, limit ${LIMIT}`,
  );
  log(`  MCP: POST /mcp stateless JSON-RPC tools/call "search" (no session); plain: GET /api/search`);
  log(
    `  warm-up ${WARMUP_S} s each, then ${opts.rounds} round(s) x ${opts.duration} s per side, order alternating per round`,
  );
  log();

  const { sameTop } = await verifyEndpoints(base);
  log(
    `verified: all ${QUERIES.length} queries return 200 with results on both endpoints (same top hit on ${sameTop}/${QUERIES.length})`,
  );

  const warm = [await measure(base, 'plain', WARMUP_S), await measure(base, 'mcp', WARMUP_S)];
  log(`warm-up done (plain ${warm[0].rps.toFixed(0)} req/s, mcp ${warm[1].rps.toFixed(0)} req/s; discarded)`);
  log();
  log('  srv cpu = server process CPU / wall time (100% = one core); gen cpu = load generator process');
  log(HEADER);

  const plain = [];
  const mcp = [];
  const mcpToken = [];
  if (guarded) warm.push(await measure(guarded.base, 'mcp+token', WARMUP_S, guarded));
  const kinds = guarded ? ['plain', 'mcp', 'mcp+token'] : ['plain', 'mcp'];
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const s =
        kind === 'mcp+token'
          ? await measure(guarded.base, kind, opts.duration, guarded)
          : await measure(base, kind, opts.duration);
      ({ plain, mcp, 'mcp+token': mcpToken })[kind].push(s);
      log(row(`round ${r} ${kind}`, s));
    }
  }

  const med = (xs) => ({
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    serverCpu: xs.some((x) => x.serverCpu === undefined) ? undefined : median(xs.map((x) => x.serverCpu)),
    genCpu: median(xs.map((x) => x.genCpu)),
  });
  const mp = med(plain);
  const mm = med(mcp);
  log(row('median plain', mp));
  log(row('median mcp', mm));
  const mt = mcpToken.length ? med(mcpToken) : undefined;
  if (mt) log(row('median mcp+tok', mt));
  log();

  const all = [...warm, ...plain, ...mcp, ...mcpToken];
  const sum = (k) => all.reduce((a, x) => a + x[k], 0);
  const bad = {
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    mismatches: sum('mismatches'),
  };
  log(
    `requests: plain ${plain.reduce((a, x) => a + x.total, 0)}, mcp ${mcp.reduce((a, x) => a + x.total, 0)} (measured rounds); ` +
      `non-2xx ${bad.non2xx}, socket errors ${bad.errors}, timeouts ${bad.timeouts}, bad bodies ${bad.mismatches} (incl. warm-up)`,
  );
  log(`mcp/plain p50 latency ratio: ${(mm.p50 / mp.p50).toFixed(2)}, p99: ${(mm.p99 / mp.p99).toFixed(2)}`);
  log(
    `mcp/plain throughput ratio: ${(mm.rps / mp.rps).toFixed(2)} (median of ${opts.rounds} round${opts.rounds > 1 ? 's' : ''})`,
  );

  if (mt) {
    log(
      `mcp with --auth token / without: throughput ${(mt.rps / mm.rps).toFixed(2)}, p50 latency ${(mt.p50 / mm.p50).toFixed(2)}`,
    );
  }

  await server.stop();
  await guarded?.stop();
  if (tokensDir) rmSync(tokensDir, { recursive: true, force: true });
  clearTimeout(watchdog);
  if (bad.non2xx || bad.errors || bad.timeouts || bad.mismatches) {
    process.stderr.write(
      'bench-mcp: FAILED: some requests were not 2xx with a valid search result (see counts above)\n',
    );
    if (server?.stderr().trim()) process.stderr.write(`server stderr:\n${server.stderr().trim()}\n`);
    process.exitCode = 1;
  }
}

// test/harness kills the server on exit, however the script ends.
main().then(
  () => process.exit(process.exitCode ?? 0),
  async (e) => {
    if (!(e instanceof BenchError)) process.stderr.write(`bench-mcp: unexpected error: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
