#!/usr/bin/env node
// Certificate renewal under MCP load: Pebble issues short certificates (60 s by default, so certdocs
// renews every ~30 s), certdocs (dist/, a child process) serves MCP over HTTPS for N minutes, and this
// process keeps it busy with MCP tools/call "search" requests while watching the certificate change.
//
//   npm run build && node scripts/bench-renewal.mjs [--minutes 5] [--clients 4] [--validity 60]
//
// Load: --clients MCP clients, each with its own MCP session on ONE keep-alive HTTPS connection
// (https.Agent keepAlive, maxSockets 1), issuing tools/call search back to back (closed loop), until
// the time is up or --max-requests per client. Beside it, a fresh TLS handshake every second records
// the served certificate's serial. Every request has a 10 s timeout; the whole run has a watchdog; the
// server and Pebble are killed at the end whatever happens.
//
// Reports: renewals (from the server's 'renewed certificate installed' log lines: count, times, the
// interval between them), distinct serials seen by fresh handshakes, total and failed requests (a
// failure is anything but HTTP 200 with a JSON-RPC result holding search results), p50/p99 latency, and
// for each swap the requests in flight within ±2 s of it (count, p99, max). Exits 1 if any request
// failed, the server restarted or died, or no renewal happened.
//
// Needs the Debian package `pebble` (scripts/install-test-deps.sh); Pebble is started with the test
// harness (test/harness/pebble.mjs). Everything listens on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acmeServeArgs, DOMAIN, ENTRY, startCertdocs, stopCertdocs } from '../test/harness/certdocs.mjs';
import { NODE_DOCS } from '../test/harness/corpus.mjs';
import { httpGet, peerCertificate } from '../test/harness/https.mjs';
import { pebbleAvailable, startPebble } from '../test/harness/pebble.mjs';
import { freePort, LOOPBACK, running, sleep } from '../test/harness/processes.mjs';
import { QUERIES } from './lib/queries.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
const HANDSHAKE_EVERY_MS = 1000;
const SWAP_WINDOW_MS = 2000;

const log = (s = '') => process.stdout.write(`${s}\n`);

// ---------------------------------------------------------------- options
let opts;
try {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      clients: { type: 'string', default: '4' },
      validity: { type: 'string', default: '60' },
      'max-requests': { type: 'string', default: '1000000' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(
      'usage: node scripts/bench-renewal.mjs [--minutes M=5] [--clients N=4] [--validity S=60] [--max-requests R=1000000 per client]',
    );
    process.exit(0);
  }
  const num = (name, min, max, integer = true) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max}, got "${values[name]}"`);
    }
    return n;
  };
  opts = {
    minutes: num('minutes', 0.1, 60, false),
    clients: num('clients', 1, 64),
    validity: num('validity', 10, 86_400),
    maxRequests: num('max-requests', 1, 100_000_000),
  };
} catch (e) {
  process.stderr.write(`bench-renewal: ${e.message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------- cleanup
// The harness SIGKILLs the server, Pebble and challtestsrv on exit and on SIGINT/SIGTERM/SIGHUP.
let child; // from startCertdocs()
let harness;
let tmp;

function killServer() {
  if (child && running(child.proc)) child.proc.kill('SIGKILL');
}

class BenchError extends Error {}
const fail = (message) => {
  throw new BenchError(message);
};

// ---------------------------------------------------------------- server and its log
const serverLog = {
  listening: 0,
  renewing: [],
  installed: [],
  issued: [],
  warnings: [],
  errors: [],
};

function onServerLogLine(line) {
  if (!line.startsWith('{')) return;
  let l;
  try {
    l = JSON.parse(line);
  } catch {
    return;
  }
  const at = typeof l.time === 'number' ? l.time : Date.parse(l.time) || Date.now();
  if (l.msg === 'MCP server listening') serverLog.listening++;
  else if (l.msg === 'renewing certificate') serverLog.renewing.push(at);
  else if (l.msg === 'renewed certificate installed')
    serverLog.installed.push({ at, serial: normSerial(String(l.serial)), notAfter: l.notAfter });
  else if (l.msg === 'certificate issued') serverLog.issued.push({ at, ms: l.ms });
  if (l.level >= 50) serverLog.errors.push(line);
  else if (l.level >= 40) serverLog.warnings.push(line);
}

async function startServer({ corpus, pebbleCaPath, directoryUrl, acmePort, port, certsDir }) {
  const args = acmeServeArgs({ directoryUrl, acmePort, port, certsDir });
  if (corpus) args.push('--docs', corpus);
  child = startCertdocs(args, {
    env: { NODE_EXTRA_CA_CERTS: pebbleCaPath },
    keepChars: 20_000,
    onOutputLine: onServerLogLine,
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!running(child.proc))
      fail(`the server exited during start-up (code ${child.proc.exitCode}):\n${child.stderr()}`);
    const ok = await httpGet(acmePort, '/healthz').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  fail(`the server did not report HTTPS ready within 60 s:\n${child.stderr()}`);
}

async function stopServer() {
  if (!child || !running(child.proc)) return undefined;
  return stopCertdocs(child, 5000);
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- HTTPS helpers
const normSerial = (s) => s.replace(/:/g, '').toLowerCase().replace(/^0+/, '');

/** One request on `agent`; resolves with status, body, the socket it went over and its timing. */
function request(agent, port, method, path, headers, body) {
  return new Promise((resolveReq, reject) => {
    const req = https.request({
      host: LOOPBACK,
      port,
      method,
      path,
      servername: DOMAIN,
      headers: { host: `${DOMAIN}:${port}`, ...headers },
      agent,
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.once('error', reject);
    req.once('response', (res) => {
      const socket = res.socket;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.once('end', () => resolveReq({ status: res.statusCode, headers: res.headers, text, socket }));
      res.once('error', reject);
    });
    req.end(body);
  });
}

const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

/** An MCP session on one keep-alive connection: initialize, then tools/call search back to back. */
async function runClient(index, { port, ca, until, samples, failures }) {
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });
  const sockets = new Set();
  const localPorts = new Set();
  let id = 0;
  const rpc = async (message, sessionId) => {
    const r = await request(
      agent,
      port,
      'POST',
      '/mcp',
      sessionId ? { ...MCP_HEADERS, 'mcp-session-id': sessionId } : MCP_HEADERS,
      JSON.stringify(message),
    );
    sockets.add(r.socket);
    localPorts.add(r.socket?.localPort);
    return r;
  };
  try {
    const init = await rpc({
      jsonrpc: '2.0',
      id: ++id,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: `bench-renewal-${index}`, version: '1.0.0' },
      },
    });
    const sessionId = init.headers['mcp-session-id'];
    if (init.status !== 200 || !sessionId)
      fail(`client ${index}: initialize: HTTP ${init.status}: ${init.text}`);
    const note = await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId);
    if (note.status !== 202) fail(`client ${index}: notifications/initialized: HTTP ${note.status}`);

    let n = 0;
    while (Date.now() < until && n < opts.maxRequests) {
      const query = QUERIES[(index + n++) % QUERIES.length];
      const started = performance.now();
      const startedAt = Date.now();
      let problem;
      try {
        const r = await rpc(
          {
            jsonrpc: '2.0',
            id: ++id,
            method: 'tools/call',
            params: { name: 'search', arguments: { query, limit: 5 } },
          },
          sessionId,
        );
        if (r.status !== 200) problem = `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
        else {
          const reply = JSON.parse(r.text);
          if (reply.error) problem = `JSON-RPC error ${JSON.stringify(reply.error)}`;
          else if (reply.result?.isError || !(reply.result?.structuredContent?.results?.length > 0))
            problem = `no search results: ${r.text.slice(0, 200)}`;
        }
      } catch (e) {
        problem = e.message;
      }
      const ms = performance.now() - started;
      samples.push({ at: startedAt, end: startedAt + ms, ms, ok: !problem });
      if (problem) failures.push(`client ${index} at ${new Date(startedAt).toISOString()}: ${problem}`);
    }
    await request(agent, port, 'DELETE', '/mcp', { 'mcp-session-id': sessionId }).catch(() => undefined);
    return { index, requests: n, sockets: sockets.size, localPorts: [...localPorts] };
  } finally {
    agent.destroy();
  }
}

/** A fresh TLS handshake every second: which certificate does a new connection get? */
async function watchHandshakes({ port, ca, until, seen, failures }) {
  while (Date.now() < until) {
    const started = Date.now();
    try {
      const { chain } = await peerCertificate(port, ca);
      const serial = normSerial(chain[0]?.serialNumber ?? '');
      seen.push({ at: started, serial, ms: Date.now() - started });
    } catch (e) {
      failures.push(`handshake at ${new Date(started).toISOString()}: ${e.message}`);
    }
    await sleep(Math.max(0, HANDSHAKE_EVERY_MS - (Date.now() - started)));
  }
}

// ---------------------------------------------------------------- stats
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN;
const fmt = (ms) => (Number.isNaN(ms) ? '   n/a' : `${ms.toFixed(1).padStart(6)} ms`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- main
async function main() {
  if (!existsSync(ENTRY)) fail(`${ENTRY} not found: build first with \`npm run build\``);
  if (!pebbleAvailable()) fail('pebble / pebble-challtestsrv not on PATH: run scripts/install-test-deps.sh');
  const corpus = NODE_DOCS;

  const runMs = opts.minutes * 60_000;
  const budgetMs = runMs + 180_000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench-renewal: did not finish within ${secs(budgetMs)}, giving up\n`);
    killServer();
    void harness?.stop();
    process.exit(1);
  }, budgetMs);
  watchdog.unref();

  tmp = await mkdtemp(join(os.tmpdir(), 'certdocs-bench-renewal-'));
  harness = await startPebble({ certificateValidityPeriod: opts.validity });
  const pebbleCaPath = harness.caCertPath;
  const root = await harness.rootPem();
  const port = await freePort();
  const t0Start = Date.now();
  await startServer({
    corpus,
    pebbleCaPath,
    directoryUrl: harness.directoryUrl,
    acmePort: harness.httpPort,
    port,
    certsDir: join(tmp, 'certs'),
  });
  const pid = child.proc.pid;
  const rss0 = rssMiB(pid);

  const cpus = os.cpus();
  log('certdocs certificate renewal under MCP load');
  log(
    `  node ${process.version}, ${os.platform()}/${os.arch()}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? '?'})`,
  );
  log(
    `  Pebble ${opts.validity}-second certificates (renewal due at half the lifetime, ~${opts.validity / 2} s)`,
  );
  log(`  corpus ${corpus ?? 'built-in docs/'}; server pid ${pid} at https://${DOMAIN}:${port} (127.0.0.1)`);
  log(`  HTTPS ready ${Date.now() - t0Start} ms after spawn (incl. the first order)`);
  log(
    `  load: ${opts.clients} MCP sessions, each on one keep-alive connection, tools/call search back to back, for ${opts.minutes} min`,
  );
  log('  plus a fresh TLS handshake every second recording the served serial');
  log();

  const t0 = Date.now();
  const until = t0 + runMs;
  const samples = [];
  const failures = [];
  const handshakes = [];
  const handshakeFailures = [];
  const installedBefore = serverLog.installed.length;
  const [clients] = await Promise.all([
    Promise.all(
      Array.from({ length: opts.clients }, (_, i) =>
        runClient(i, { port, ca: root, until, samples, failures }).catch((e) => {
          failures.push(e.message);
          return { index: i, requests: 0, sockets: 0, localPorts: [] };
        }),
      ),
    ),
    watchHandshakes({ port, ca: root, until, seen: handshakes, failures: handshakeFailures }),
  ]);
  const elapsed = Date.now() - t0;
  const rss1 = rssMiB(pid);
  const stillRunning = running(child.proc);
  const ended = await stopServer();
  clearTimeout(watchdog);

  // ---- renewals
  const swaps = serverLog.installed.slice(installedBefore).filter((s) => s.at >= t0 && s.at <= t0 + elapsed);
  const rel = (at) => secs(at - t0);
  log(`renewals observed: ${swaps.length} in ${secs(elapsed)}`);
  swaps.forEach((s, i) => {
    const started = serverLog.renewing.filter((r) => r <= s.at).at(-1);
    const firstSeen = handshakes.find((h) => h.serial === s.serial && h.at >= s.at - 50);
    log(
      `  #${i + 1} installed at +${rel(s.at)}` +
        (i > 0 ? `, ${secs(s.at - (swaps[i - 1]?.at ?? s.at))} after the previous` : '') +
        (started !== undefined ? `; order took ${s.at - started} ms` : '') +
        `; serial ${s.serial.slice(0, 12)}…, notAfter ${s.notAfter}` +
        (firstSeen
          ? `; first new handshake with it at +${rel(firstSeen.at)}`
          : '; never seen by a handshake'),
    );
  });
  const intervals = swaps.slice(1).map((s, i) => (s.at - (swaps[i]?.at ?? s.at)) / 1000);
  if (intervals.length) {
    log(
      `  interval between renewals: min ${Math.min(...intervals).toFixed(1)} s, max ${Math.max(...intervals).toFixed(1)} s, mean ${(intervals.reduce((a, b) => a + b, 0) / intervals.length).toFixed(1)} s`,
    );
  }
  const serials = [...new Set(handshakes.map((h) => h.serial))];
  log(
    `distinct serials seen by ${handshakes.length} fresh handshakes: ${serials.length} (handshake failures: ${handshakeFailures.length})`,
  );
  const notLogged = serials.slice(1).filter((s) => !swaps.some((w) => w.serial === s));
  if (notLogged.length)
    log(`  served serials with no 'renewed certificate installed' line: ${notLogged.join(', ')}`);

  // ---- requests
  const ok = samples.filter((s) => s.ok);
  const sorted = ok.map((s) => s.ms).sort((a, b) => a - b);
  log();
  log(
    `requests: ${samples.length} tools/call search (${(samples.length / (elapsed / 1000)).toFixed(0)} req/s), failed: ${failures.length}`,
  );
  for (const f of failures.slice(0, 10)) log(`  FAILED ${f}`);
  log(
    `latency: p50 ${fmt(pct(sorted, 50))}, p99 ${fmt(pct(sorted, 99))}, p99.9 ${fmt(pct(sorted, 99.9))}, max ${fmt(sorted.at(-1) ?? Number.NaN)}`,
  );
  for (const c of clients) {
    log(
      `  client ${c.index}: ${c.requests} requests over ${c.sockets} connection(s) (local port ${c.localPorts.join(', ')})`,
    );
  }
  log(`latency around each swap (requests in flight within ±${SWAP_WINDOW_MS / 1000} s of the install):`);
  swaps.forEach((s, i) => {
    const near = samples.filter((r) => r.at <= s.at + SWAP_WINDOW_MS && r.end >= s.at - SWAP_WINDOW_MS);
    const ms = near.map((r) => r.ms).sort((a, b) => a - b);
    log(
      `  #${i + 1} at +${rel(s.at)}: ${near.length} requests, failed ${near.filter((r) => !r.ok).length}, p50 ${fmt(pct(ms, 50))}, p99 ${fmt(pct(ms, 99))}, max ${fmt(ms.at(-1) ?? Number.NaN)}`,
    );
  });
  const far = samples.filter((r) =>
    swaps.every((s) => r.end < s.at - SWAP_WINDOW_MS || r.at > s.at + SWAP_WINDOW_MS),
  );
  const farMs = far.map((r) => r.ms).sort((a, b) => a - b);
  log(
    `  away from swaps: ${far.length} requests, p50 ${fmt(pct(farMs, 50))}, p99 ${fmt(pct(farMs, 99))}, max ${fmt(farMs.at(-1) ?? Number.NaN)}`,
  );

  // ---- process
  log();
  log(
    `server: pid ${pid} throughout, ${stillRunning ? 'running at the end' : 'DIED during the run'}; 'MCP server listening' logged ${serverLog.listening}x; ` +
      `RSS ${rss0?.toFixed(0) ?? '?'} MiB -> ${rss1?.toFixed(0) ?? '?'} MiB; exit on SIGTERM: ${ended ? `code ${ended.code}` : 'n/a'}`,
  );
  log(`server log: ${serverLog.warnings.length} warning(s), ${serverLog.errors.length} error(s)`);
  for (const l of [...serverLog.errors, ...serverLog.warnings].slice(0, 5)) log(`  ${l.slice(0, 300)}`);

  const problems = [];
  if (failures.length) problems.push(`${failures.length} failed request(s)`);
  if (handshakeFailures.length) problems.push(`${handshakeFailures.length} failed handshake(s)`);
  if (!stillRunning || serverLog.listening !== 1) problems.push('the server died or restarted');
  if (swaps.length === 0) problems.push('no renewal happened');
  if (clients.some((c) => c.sockets !== 1)) problems.push('a client needed more than one connection');
  if (problems.length) {
    process.stderr.write(`bench-renewal: FAILED: ${problems.join('; ')}\n`);
    process.exitCode = 1;
  }
}

main()
  .catch((e) => {
    process.stderr.write(`bench-renewal: ${e instanceof BenchError ? e.message : (e.stack ?? e)}\n`);
    if (!(e instanceof BenchError) && child?.stderr())
      process.stderr.write(`server output:\n${child.stderr()}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    killServer();
    await harness?.stop().catch(() => undefined);
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  });
