#!/usr/bin/env node
// Soak: many MCP clients over HTTPS for a while, plus sessions opened and abandoned; then whether
// the server is back where it started. Bounded in time, loopback only; stops by itself.
//
//   npm run build && node scripts/soak.mjs [--clients 50] [--seconds 60] [--warmup 10]
//                                          [--abandon 200] [--idle-wait 150] [--docs DIR]
//
// certdocs gets a fresh certificate from a loopback Pebble and serves --docs (the Node.js API docs
// when present, else the bundled docs) on https://docs.example.test:<port>. Each client has a
// source address of its own (127.1.x.y), opens a session with the SDK's client and loops: `search`
// for one of the benchmark questions, then `fetch` of its first result. Meanwhile `--abandon`
// sessions are opened (a bare initialize, from addresses 127.2.x.y) and never used again. After
// the load the clients close their sessions. Reported: calls and errors, p50/p99 per tool, RSS
// after warm-up and at the end, and how long until the session count is back to where it began.
// Exit code 1 when a call failed, RSS grew more than 10 %, or the sessions did not come back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { acmeServeArgs, DOMAIN, ENTRY, startCertdocs, stopCertdocs } from '../test/harness/certdocs.mjs';
import { NODE_DOCS } from '../test/harness/corpus.mjs';
import { httpGet, httpsGet, pinnedFetch } from '../test/harness/https.mjs';
import { connectMcp } from '../test/harness/mcp-client.mjs';
import { startPebble } from '../test/harness/pebble.mjs';
import { freePorts, sleep, waitFor } from '../test/harness/processes.mjs';
import { QUERIES } from './lib/queries.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    abandon: { type: 'string', default: '200' },
    'idle-wait': { type: 'string', default: '150' },
    docs: { type: 'string' },
  },
});
const num = (name, min) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`soak: --${name} must be a whole number >= ${min}\n`);
    process.exit(2);
  }
  return n;
};
const CLIENTS = num('clients', 1);
const SECONDS = num('seconds', 1);
const WARMUP = num('warmup', 0);
const ABANDON = num('abandon', 0);
const IDLE_WAIT = num('idle-wait', 1);
const DOCS = values.docs ?? NODE_DOCS;
const out = (s) => process.stdout.write(`${s}\n`);

/** Resident memory of a process, from /proc (Linux). */
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
};

const tmp = mkdtempSync(join(os.tmpdir(), 'certdocs-soak-'));
const pebble = await startPebble();
let cli;
try {
  const caPath = join(tmp, 'pebble-listener-ca.pem');
  writeFileSync(caPath, pebble.caCertPem);
  const [port] = await freePorts(1);
  const args = acmeServeArgs({
    directoryUrl: pebble.directoryUrl,
    acmePort: pebble.httpPort,
    port,
    certsDir: join(tmp, 'certs'),
  });
  cli = startCertdocs([...args, ...(DOCS ? ['--docs', DOCS] : []), '--log-level', 'warn'], {
    env: { NODE_EXTRA_CA_CERTS: caPath },
  });
  await waitFor('HTTPS in service', 60_000, cli, async () =>
    (await httpGet(pebble.httpPort, '/healthz')).status === 200 ? true : undefined,
  );
  const root = await pebble.rootPem();
  const health = async () => JSON.parse((await httpsGet(port, '/healthz', root)).body);
  const url = `https://${DOMAIN}:${port}/mcp`;
  const baselineSessions = (await health()).mcp.sessions;
  out(
    `soak: node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}; ${ENTRY}`,
  );
  out(
    `${CLIENTS} clients for ${SECONDS} s after ${WARMUP} s warm-up, ${ABANDON} abandoned sessions; docs ${DOCS ?? 'bundled'}`,
  );

  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      connectMcp(url, {
        name: `soak-${i}`,
        fetch: pinnedFetch(root, { localAddress: `127.1.${i >> 8}.${(i % 256) + 1}` }),
      }),
    ),
  );

  const latencies = { search: [], fetch: [] };
  const errors = [];
  let measuring = false;
  let stop = false;
  const call = async (client, name, args) => {
    const started = performance.now();
    try {
      const res = await client.callTool({ name, arguments: args });
      if (res.isError) throw new Error(JSON.stringify(res.content).slice(0, 200));
      if (measuring) latencies[name].push(performance.now() - started);
      return res;
    } catch (e) {
      if (measuring) errors.push(`${name}: ${e.message}`);
      return undefined;
    }
  };
  const loops = clients.map(async (client, i) => {
    for (let n = i; !stop; n++) {
      const found = await call(client, 'search', { query: QUERIES[n % QUERIES.length] });
      const id = found?.structuredContent?.results?.[0]?.id;
      if (id && !stop) await call(client, 'fetch', { id });
    }
  });

  let abandoned = 0;
  const abandonOne = async (i) => {
    const fetch = pinnedFetch(root, { localAddress: `127.2.${i >> 8}.${(i % 256) + 1}`, keepAlive: false });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-03-26',
          capabilities: {},
          clientInfo: { name: 'abandoned', version: '1' },
        },
      }),
    });
    await res.text();
    if (res.status === 200) abandoned++;
    else if (measuring) errors.push(`abandoned initialize: HTTP ${res.status}`);
  };

  await sleep(WARMUP * 1000);
  const rssAfterWarmup = rssMb(cli.proc.pid);
  measuring = true;
  const started = Date.now();
  const abandoning = (async () => {
    for (let i = 0; i < ABANDON && !stop; i++) {
      await abandonOne(i);
      await sleep((SECONDS * 1000) / Math.max(1, ABANDON));
    }
  })();
  let peakSessions = 0;
  while (Date.now() - started < SECONDS * 1000) {
    await sleep(1000);
    peakSessions = Math.max(peakSessions, (await health()).mcp.sessions);
  }
  stop = true;
  measuring = false;
  await Promise.all([...loops, abandoning]);
  const rssAtEnd = rssMb(cli.proc.pid);
  // Done as a well-behaved client is: DELETE its session, then close.
  await Promise.all(
    clients.map(async (c) => {
      await c.transport?.terminateSession?.().catch(() => undefined);
      await c.close().catch(() => undefined);
    }),
  );

  const idleStarted = Date.now();
  let sessions = (await health()).mcp.sessions;
  while (sessions > baselineSessions && Date.now() - idleStarted < IDLE_WAIT * 1000) {
    await sleep(2000);
    sessions = (await health()).mcp.sessions;
  }
  const backAfter = (Date.now() - idleStarted) / 1000;

  const calls = latencies.search.length + latencies.fetch.length;
  out(`\ncalls ${calls} (${(calls / SECONDS).toFixed(0)}/s), errors ${errors.length}`);
  for (const e of errors.slice(0, 5)) out(`  ${e}`);
  out(`${'(ms)'.padEnd(10)}${['n', 'p50', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`);
  for (const [name, xs] of Object.entries(latencies)) {
    const row = [xs.length, pct(xs, 50), pct(xs, 99), Math.max(...xs)];
    out(`${name.padEnd(10)}${row.map((v, j) => (j ? v.toFixed(1) : String(v)).padStart(9)).join('')}`);
  }
  const growth = rssAtEnd / rssAfterWarmup - 1;
  out(
    `RSS after warm-up ${rssAfterWarmup.toFixed(0)} MB, at the end ${rssAtEnd.toFixed(0)} MB (${(growth * 100).toFixed(1)} %)`,
  );
  out(
    `sessions: ${baselineSessions} before, ${abandoned} opened and abandoned, peak ${peakSessions}, ${sessions} after ${backAfter.toFixed(0)} s of idling (${sessions <= baselineSessions ? 'back to where they began' : 'NOT back'})`,
  );
  if (errors.length || growth > 0.1 || sessions > baselineSessions) process.exitCode = 1;
} finally {
  if (cli) await stopCertdocs(cli);
  await pebble.stop();
  rmSync(tmp, { recursive: true, force: true });
}
