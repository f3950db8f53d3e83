#!/usr/bin/env node
// Start-up time to a served, CA-issued certificate: certdocs vs Caddy, both against one Pebble.
//
//   npm run build && node scripts/bench-startup.mjs [--runs 11] [--warmup 1] [--run-timeout 30]
//                                                   [--max-total 900] [--no-certbot] [--no-lego]
//                                                   [--modes cold,warm] [--node24] [--json FILE]
//
// Two modes, each interleaved (certdocs, Caddy, certdocs, ...), medians and ratios:
//   cold  spawn -> first HTTPS answer with a fresh Pebble certificate (below)
//   warm  spawn -> first HTTPS answer with the certificate stored by an earlier run of the same tool
//         (certdocs: same --certs-dir and domain; Caddy: same storage). Any 2xx-4xx counts for
//         both: for certdocs GET /healthz answering 200 `starting` (docs still being indexed) is
//         a valid first answer.
// --node24 also runs certdocs under Node 24 (the container image's runtime; `npx -p node@24`).
// --json FILE writes the rows "cold" and "warm" (ms, anchor Caddy) for `npm run bench`.
// A suite run stays well under 3 minutes with --runs 7.
//
// For each run: wall time from spawn() to the first successful HTTPS GET /healthz on 127.0.0.1,
// verified against Pebble's issuing root + intermediate (rejectUnauthorized, servername = domain),
// polled every 10 ms. Every run gets a fresh certificate: fresh certs/storage dir, a domain of its
// own, and Pebble with PEBBLE_AUTHZREUSE=0, PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0.
//   certdocs  node dist/bin/certdocs.js --domain ... (HTTP-01 on Pebble's httpPort)
//   caddy     caddy run with a Caddyfile (HTTP-01 only; TLS-ALPN-01 disabled); any 2xx-4xx counts
// certdocs and Caddy alternate within each iteration (and swap order every iteration), so noise
// hits both. For context: certdocs without a domain (spawn -> plain-HTTP /healthz 200), `node -e 0`
// (spawn -> exit); in warm mode two floors run in the same iterations: `node -e 0` and a bare
// node:https server (scripts/bench/bare-https.mjs) over the same stored certificate files, so the
// table shows how much of the warm time is Node's own. Every Node child (certdocs, the floors, on
// either Node) gets the same environment, NODE_ENV_FOR_NODE below: NODE_EXTRA_CA_CERTS set to
// Pebble's small root (the caller's bundle, often all of /etc/ssl/certs, costs ~80 ms per start).
// And, when installed, certbot / lego standalone: time to certificate FILE on
// disk, which is not comparable to serving. Needs `pebble` + `pebble-challtestsrv` (Debian
// package pebble), `caddy`, and openssl. Every child is killed at the end, whatever happens.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ENTRY } from '../test/harness/certdocs.mjs';
import { startPebble as startPebbleHarness } from '../test/harness/pebble.mjs';
import {
  findOnPath,
  freePorts,
  LOOPBACK,
  launch as launchTracked,
  onExit,
  running,
  sleep,
  terminate,
} from '../test/harness/processes.mjs';

const POLL_MS = 10;
const BARE_HTTPS = new URL('./bench/bare-https.mjs', import.meta.url).pathname;

// ---------------------------------------------------------------- options
const USAGE =
  'usage: node scripts/bench-startup.mjs [--runs N=11] [--warmup W=1] [--run-timeout S=30]\n' +
  '                                      [--max-total S=900] [--no-certbot] [--no-lego]\n' +
  '                                      [--baseline CHECKOUT]  (another build, e.g. main before a change)\n' +
  '                                      [--modes cold,warm] [--node24] [--json FILE]\n';
let values;
try {
  ({ values } = parseArgs({
    options: {
      runs: { type: 'string', default: '11' },
      warmup: { type: 'string', default: '1' },
      'run-timeout': { type: 'string', default: '30' },
      'max-total': { type: 'string', default: '900' },
      'no-certbot': { type: 'boolean', default: false },
      'no-lego': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      modes: { type: 'string', default: 'cold,warm' },
      node24: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  process.stderr.write(`bench-startup: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const int = (name, min) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench-startup: --${name} must be a whole number >= ${min}\n`);
    process.exit(2);
  }
  return n;
};
const RUNS = int('runs', 1);
const WARMUP = int('warmup', 0);
const RUN_TIMEOUT_MS = int('run-timeout', 1) * 1000;
const MAX_TOTAL_MS = int('max-total', 10) * 1000;
const MODES = values.modes.split(',').map((m) => m.trim());
if (!MODES.length || MODES.some((m) => m !== 'cold' && m !== 'warm')) {
  process.stderr.write('bench-startup: --modes takes cold, warm or cold,warm\n');
  process.exit(2);
}

// ---------------------------------------------------------------- cleanup of everything we start
// The harness SIGKILLs every child it launched on exit and on SIGINT/SIGTERM/SIGHUP.
const TMP = mkdtempSync(join(os.tmpdir(), 'certdocs-bench-startup-'));
onExit(() => rmSync(TMP, { recursive: true, force: true }));
const hardStop = setTimeout(() => {
  process.stderr.write(
    `bench-startup: total time limit (${MAX_TOTAL_MS / 1000} s) reached, killing everything\n`,
  );
  process.exit(3);
}, MAX_TOTAL_MS);
hardStop.unref();

// ---------------------------------------------------------------- helpers
const onPath = (bin) => findOnPath(bin) !== undefined;

/** Spawns a tracked child; keeps the last 16 KiB of its output for error messages. */
function launch(cmd, args, opts = {}) {
  const child = launchTracked(cmd, cmd, args, { ...opts, keepChars: 16384 });
  return { ...child, output: child.stderr, isDone: () => !running(child.proc) };
}

const stop = (child, graceMs = 2000) => terminate(child, graceMs);

function execText(cmd, args, opts = {}) {
  return new Promise((res, rej) =>
    execFile(cmd, args, { timeout: 20_000, ...opts }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : res(`${stdout}${stderr}`),
    ),
  );
}

/** Waits until nothing listens on 127.0.0.1:port (the previous run's server is really gone). */
async function waitPortFree(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((res) => {
      const s = net.createServer();
      s.once('error', () => res(false));
      s.listen(port, LOOPBACK, () => s.close(() => res(true)));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still in use after ${timeoutMs} ms`);
    await sleep(20);
  }
}

function get(mod, opts) {
  return new Promise((res, rej) => {
    const req = mod.get({ agent: false, timeout: 3000, ...opts }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      r.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
  });
}

/**
 * Polls every POLL_MS until probe() resolves truthy; returns performance.now() at that moment.
 * Fails if the child exits first or the run's deadline passes.
 */
async function pollUntil(child, what, deadline, probe) {
  let lastErr = '';
  for (;;) {
    if (child?.isDone())
      throw new Error(`exited (${child.proc.exitCode ?? child.proc.signalCode}) before ${what}`);
    try {
      if (await probe()) return performance.now();
    } catch (e) {
      lastErr = e.code ?? e.message;
    }
    if (performance.now() > deadline)
      throw new Error(`no ${what} within ${RUN_TIMEOUT_MS / 1000} s (last error: ${lastErr})`);
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------- Pebble
// The tests' harness (test/harness/pebble.mjs): Pebble with PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0
// and no nonce rejection, and challtestsrv as its DNS.
async function startPebble() {
  const harness = await startPebbleHarness({ startTimeoutMs: 15_000 });
  const mgmt = async (path) => {
    const r = await get(https, {
      host: LOOPBACK,
      port: new URL(harness.managementUrl).port,
      path,
      ca: harness.caCertPem,
    });
    if (r.status !== 200) throw new Error(`GET Pebble management ${path} -> ${r.status}`);
    return r.body;
  };
  return {
    directoryUrl: harness.directoryUrl,
    caPath: harness.caCertPath,
    httpPort: harness.httpPort,
    issuingCa: [await harness.rootPem(), await mgmt('/intermediates/0')],
    stop: () => harness.stop(),
  };
}

// ---------------------------------------------------------------- the contenders
let PEBBLE;

/**
 * The one environment of every Node child: the caller's, with NODE_EXTRA_CA_CERTS replaced by
 * Pebble's root (certdocs must trust Pebble; a large bundle there costs every Node start ~80 ms,
 * and the floors must pay what certdocs pays) and no NODE_OPTIONS (nothing preloaded).
 */
function nodeEnv() {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return { ...env, NODE_EXTRA_CA_CERTS: PEBBLE.caPath };
}

const httpsOk = (port, domain, accept) => async () => {
  const r = await get(https, {
    host: LOOPBACK,
    port,
    path: '/healthz',
    servername: domain,
    headers: { host: `${domain}:${port}` },
    ca: PEBBLE.issuingCa,
    rejectUnauthorized: true,
  });
  return accept(r.status);
};

/**
 * Runs one timed start; `body(ctx, deadline)` spawns and returns t1. Always stops the child.
 * `keepDir`: run in that directory (a warm start finds what an earlier run stored there).
 */
async function timed(label, ports, body, keepDir) {
  const dir = keepDir ?? (await mkdtemp2(label));
  const ctx = { dir, child: undefined };
  try {
    const t0 = performance.now();
    const t1 = await body(ctx, t0 + RUN_TIMEOUT_MS);
    return { ms: t1 - t0 };
  } catch (e) {
    const tail = ctx.child ? ctx.child.output().trim().split('\n').slice(-8).join('\n') : '';
    return { error: `${e.message}${tail ? `\n      ${tail.replaceAll('\n', '\n      ')}` : ''}` };
  } finally {
    if (ctx.child) await stop(ctx.child);
    for (const p of ports) await waitPortFree(p).catch(() => {});
  }
}
let dirSeq = 0;
async function mkdtemp2(label) {
  const d = join(TMP, `${label}-${++dirSeq}`);
  await mkdir(d, { recursive: true });
  return d;
}

/**
 * certdocs with a domain. Cold (no `dir`): a fresh certs dir, first HTTPS /healthz 200 with a new
 * certificate. Warm (`dir` of an earlier run, same domain): any HTTPS 2xx-4xx counts.
 */
async function certdocs(domain, { entry = ENTRY, node = process.execPath, dir, warm = false } = {}) {
  const [port] = await freePorts(1);
  return timed(
    'certdocs',
    [PEBBLE.httpPort, port],
    async (ctx, deadline) => {
      // biome-ignore format: one flag per pair
      ctx.child = launch(node, [entry,
        '--domain', domain, '--acme-directory', PEBBLE.directoryUrl, '--acme-port', String(PEBBLE.httpPort),
        '--port', String(port), '--host', LOOPBACK, '--accept-tos', '--certs-dir', join(ctx.dir, 'certs'),
        '--log-level', 'warn'], { cwd: ctx.dir, env: nodeEnv() });
      return pollUntil(
        ctx.child,
        warm ? 'HTTPS 2xx-4xx' : 'HTTPS /healthz 200',
        deadline,
        httpsOk(port, domain, warm ? (s) => s >= 200 && s < 500 : (s) => s === 200),
      );
    },
    dir,
  );
}

/** Caddy: cold with fresh storage; warm (`dir` of an earlier run) with its storage kept. */
async function caddy(domain, { dir } = {}) {
  const [port] = await freePorts(1);
  return timed(
    'caddy',
    [PEBBLE.httpPort, port],
    async (ctx, deadline) => {
      const caddyfile = [
        '{',
        '\tadmin off',
        `\thttp_port ${PEBBLE.httpPort}`,
        `\thttps_port ${port}`,
        `\tdefault_bind ${LOOPBACK}`,
        `\tacme_ca ${PEBBLE.directoryUrl}`,
        `\tacme_ca_root ${PEBBLE.caPath}`,
        `\tstorage file_system ${join(ctx.dir, 'storage')}`,
        '\tskip_install_trust',
        '}',
        '',
        `${domain} {`,
        '\ttls {',
        '\t\tissuer acme {',
        '\t\t\tdisable_tlsalpn_challenge',
        '\t\t}',
        '\t}',
        '\trespond /healthz 200',
        '}',
        '',
      ].join('\n');
      await writeFile(join(ctx.dir, 'Caddyfile'), caddyfile);
      const env = {
        ...process.env,
        HOME: ctx.dir,
        XDG_DATA_HOME: join(ctx.dir, 'data'),
        XDG_CONFIG_HOME: join(ctx.dir, 'config'),
      };
      ctx.child = launch('caddy', ['run', '--config', join(ctx.dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
        cwd: ctx.dir,
        env,
      });
      return pollUntil(
        ctx.child,
        'HTTPS 2xx-4xx',
        deadline,
        httpsOk(port, domain, (s) => s >= 200 && s < 500),
      );
    },
    dir,
  );
}

async function certdocsBare(entry = ENTRY) {
  const [port] = await freePorts(1);
  return timed('bare', [port], async (ctx, deadline) => {
    ctx.child = launch(
      process.execPath,
      [entry, '--port', String(port), '--host', LOOPBACK, '--log-level', 'warn'],
      { cwd: ctx.dir, env: nodeEnv() },
    );
    return pollUntil(
      ctx.child,
      'HTTP /healthz 200',
      deadline,
      async () => (await get(http, { host: LOOPBACK, port, path: '/healthz' })).status === 200,
    );
  });
}

/** The warm floor: a bare node:https server over certdocs' stored files (see BARE_HTTPS). */
async function bareHttps(domain, certsDir, node = process.execPath) {
  const [port] = await freePorts(1);
  return timed('bare-https', [port], async (ctx, deadline) => {
    // biome-ignore format: one argument per file
    ctx.child = launch(node, [BARE_HTTPS,
      join(certsDir, `${domain}.cert.pem`), join(certsDir, `${domain}.key.pem`), String(port), LOOPBACK],
      { cwd: ctx.dir, env: nodeEnv() });
    return pollUntil(
      ctx.child,
      'HTTPS 200',
      deadline,
      httpsOk(port, domain, (s) => s === 200),
    );
  });
}

async function exitTime(label, args, node = process.execPath) {
  return timed(label, [], async (ctx) => {
    ctx.child = launch(node, args, { cwd: ctx.dir, env: nodeEnv() });
    const { code } = await ctx.child.exited;
    if (code !== 0) throw new Error(`exit code ${code}`);
    return performance.now();
  });
}

/** certbot / lego: time until the certificate file exists (and the tool exited 0). */
async function fileTool(label, cmd, args, env, certFile) {
  return timed(label, [PEBBLE.httpPort], async (ctx, deadline) => {
    ctx.child = launch(cmd, args(ctx.dir), { cwd: ctx.dir, env: { ...process.env, HOME: ctx.dir, ...env } });
    const file = certFile(ctx.dir);
    let t1;
    for (;;) {
      const done = ctx.child.isDone();
      if (existsSync(file)) {
        t1 = performance.now();
        break;
      }
      if (done)
        throw new Error(`exited (${ctx.child.proc.exitCode ?? ctx.child.proc.signalCode}) without ${file}`);
      if (performance.now() > deadline)
        throw new Error(`no certificate file within ${RUN_TIMEOUT_MS / 1000} s`);
      await sleep(POLL_MS);
    }
    const { code } = await ctx.child.exited;
    if (code !== 0) throw new Error(`exit code ${code}`);
    return t1;
  });
}

const certbot = (domain) =>
  fileTool(
    'certbot',
    'certbot',
    (d) => [
      'certonly',
      '--standalone',
      '-n',
      '--agree-tos',
      '--register-unsafely-without-email',
      '--server',
      PEBBLE.directoryUrl,
      '-d',
      domain,
      '--preferred-challenges',
      'http',
      '--http-01-port',
      String(PEBBLE.httpPort),
      '--http-01-address',
      LOOPBACK,
      '--key-type',
      'ecdsa',
      '--config-dir',
      join(d, 'etc'),
      '--work-dir',
      join(d, 'work'),
      '--logs-dir',
      join(d, 'logs'),
    ],
    { REQUESTS_CA_BUNDLE: PEBBLE.caPath },
    (d) => join(d, 'etc', 'live', domain, 'fullchain.pem'),
  );

const lego = (domain) =>
  fileTool(
    'lego',
    'lego',
    (d) => [
      '--accept-tos',
      '--email',
      'bench@certdocs.test',
      '--server',
      PEBBLE.directoryUrl,
      '--domains',
      domain,
      '--http',
      '--http.port',
      `${LOOPBACK}:${PEBBLE.httpPort}`,
      '--key-type',
      'ec256',
      '--path',
      join(d, 'lego'),
      'run',
    ],
    { LEGO_CA_CERTIFICATES: PEBBLE.caPath },
    (d) => join(d, 'lego', 'certificates', `${domain}.crt`),
  );

// ---------------------------------------------------------------- main
const fmt = (ms) => (ms === undefined ? '—' : ms.toFixed(0));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Node 24 from the npm registry (the image's runtime), for the --node24 figures. */
async function node24Path() {
  const out = await execText('npx', ['-y', '-p', 'node@24', 'node', '-p', 'process.execPath'], {
    timeout: 180_000,
  });
  const path = out.trim().split('\n').pop();
  if (!path || !existsSync(path)) throw new Error(`npx -p node@24 gave no node binary (${out.trim()})`);
  return path;
}

const out = (s) => process.stdout.write(`${s}\n`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/**
 * Runs `RUNS` iterations (+ warm-up) of the contenders, which alternate who goes first, then the
 * extras; prints a row per iteration and returns the successful times per key.
 */
async function runIterations(title, contenders, extras) {
  const keys = [...contenders, ...extras].map((c) => c.key);
  const results = Object.fromEntries(keys.map((k) => [k, []]));
  const W = 12;
  out(`\n${title}\n${'run'.padEnd(6)}${keys.map((k) => k.padStart(W)).join('')}   (order)`);
  for (let i = 1 - WARMUP; i <= RUNS; i++) {
    // Every iteration starts with a different contender, so none always runs first.
    const shift = ((i % contenders.length) + contenders.length) % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    const row = {};
    const errors = [];
    for (const c of [...order, ...extras]) {
      const r = await c.run(i < 1 ? `w${1 - i}` : i);
      row[c.key] = r.ms;
      if (r.error) errors.push(`  ${c.key}: ${r.error}`);
      else if (i >= 1) results[c.key].push(r.ms);
    }
    const label = i < 1 ? `w${1 - i}` : String(i);
    out(
      `${label.padEnd(6)}${keys.map((k) => fmt(row[k]).padStart(W)).join('')}   (${order.map((c) => c.key).join(', ')})`,
    );
    for (const e of errors) out(e);
  }
  return results;
}

function summary(results, desc) {
  out(`\n${'(ms)'.padEnd(62)}${['n', 'min', 'median', 'max'].map((h) => h.padStart(8)).join('')}`);
  const med = {};
  for (const [k, xs] of Object.entries(results)) {
    med[k] = xs.length ? median(xs) : undefined;
    const cells = xs.length ? [xs.length, Math.min(...xs), med[k], Math.max(...xs)] : [0];
    out(`${(desc[k] ?? k).padEnd(62)}${cells.map((v, j) => (j ? fmt(v) : String(v)).padStart(8)).join('')}`);
  }
  return med;
}

/** One row of the suite's table (see the bench contract): certdocs' median against Caddy's. */
function row(key, measure, results, certdocsKey, targetValue, note) {
  const c = results[certdocsKey] ?? [];
  const a = results.caddy ?? [];
  const cv = c.length ? median(c) : null;
  const av = a.length ? median(a) : null;
  const ratio = cv !== null && av ? Math.round((cv / av) * 100) / 100 : null;
  return {
    key,
    measure,
    unit: 'ms',
    certdocs: cv === null ? null : Math.round(cv),
    anchor: { name: 'Caddy', value: av === null ? null : Math.round(av) },
    ratio,
    target: { op: '<=', value: targetValue },
    pass: ratio !== null && ratio <= targetValue,
    samples: { certdocs: c.map((x) => Math.round(x)), anchor: a.map((x) => Math.round(x)) },
    ...(note ? { note } : {}),
  };
}

async function main() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} not found: run npm run build first`);
  for (const bin of ['pebble', 'pebble-challtestsrv', 'caddy', 'openssl'])
    if (!onPath(bin)) throw new Error(`${bin} not found on PATH`);
  // Another build of certdocs, run in the same iterations so that load hits both alike.
  const baselineEntry = values.baseline && join(values.baseline, 'dist', 'bin', 'certdocs.js');
  if (baselineEntry && !existsSync(baselineEntry))
    throw new Error(`${baselineEntry} not found: build the baseline first`);
  const node24 = values.node24 ? await node24Path() : undefined;
  const node24Ver = node24 ? (await execText(node24, ['--version'])).trim() : undefined;

  const version = async (cmd, args) => (await execText(cmd, args).catch(() => '?')).trim().split('\n')[0];
  const pebbleVer = await version('dpkg-query', ['-W', '-f', '$' + '{Version}', 'pebble']);
  const caddyVer = await version('caddy', ['version']);
  PEBBLE = await startPebble();
  out(
    `bench-startup: node ${process.version}${node24Ver ? ` (and ${node24Ver} for certdocs@24)` : ''}, caddy ${caddyVer}, pebble ${pebbleVer}, ${os.cpus().length} CPUs, ${os.platform()} ${os.release()}`,
  );
  out(
    `pebble: PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0, HTTP-01 on 127.0.0.1:${PEBBLE.httpPort}`,
  );
  out(`${RUNS} runs (+${WARMUP} warm-up, not counted), poll every ${POLL_MS} ms, times in ms from spawn()`);
  const loadAtStart = load();
  out(
    `load average at start: ${loadAtStart} (certdocs start-up is CPU-bound, Caddy's mostly waits: compare ratios only at similar load)`,
  );

  const desc = {
    certdocs: 'certdocs: spawn -> HTTPS /healthz 200 with a fresh Pebble cert',
    caddy: 'caddy: spawn -> HTTPS 2xx-4xx with a fresh Pebble cert',
    'certdocs@24': `certdocs on ${node24Ver}: as certdocs`,
    bare: 'certdocs without --domain: spawn -> HTTP /healthz 200',
    baseline: `baseline (${values.baseline}): spawn -> HTTPS /healthz 200`,
    'base-bare': 'baseline without --domain: spawn -> HTTP /healthz 200',
    'node-e0': 'node -e 0: spawn -> exit',
    help: 'certdocs --help: spawn -> exit',
    certbot: 'certbot standalone: time to certificate file*',
    lego: 'lego --http: time to certificate file*',
  };
  const rows = [];
  const medians = {};

  if (MODES.includes('cold')) {
    const contenders = [
      { key: 'certdocs', run: (i) => certdocs(`run${i}-certdocs.example.test`) },
      { key: 'caddy', run: (i) => caddy(`run${i}-caddy.example.test`) },
    ];
    if (node24)
      contenders.push({
        key: 'certdocs@24',
        run: (i) => certdocs(`run${i}-n24.example.test`, { node: node24 }),
      });
    if (baselineEntry)
      contenders.push({
        key: 'baseline',
        run: (i) => certdocs(`run${i}-baseline.example.test`, { entry: baselineEntry }),
      });
    const extras = [
      { key: 'bare', run: () => certdocsBare() },
      ...(baselineEntry ? [{ key: 'base-bare', run: () => certdocsBare(baselineEntry) }] : []),
      { key: 'node-e0', run: () => exitTime('node', ['-e', '0']) },
      { key: 'help', run: () => exitTime('help', [ENTRY, '--help']) },
    ];
    if (!values['no-certbot'] && onPath('certbot'))
      extras.push({ key: 'certbot', run: (i) => certbot(`run${i}-certbot.example.test`) });
    if (!values['no-lego'] && onPath('lego'))
      extras.push({ key: 'lego', run: (i) => lego(`run${i}-lego.example.test`) });
    const results = await runIterations(
      'COLD: spawn -> first HTTPS answer with a fresh certificate',
      contenders,
      extras,
    );
    const med = summary(results, desc);
    medians.cold = med;
    if (extras.some((e) => e.key === 'certbot' || e.key === 'lego'))
      out(
        '* time to certificate file on disk (process exit 0 required); no server: not comparable to serving.',
      );
    if (med.certdocs !== undefined && med.caddy !== undefined) {
      out(`\ncertdocs median / caddy median = ${fmt(med.certdocs)} / ${fmt(med.caddy)} ms`);
      out(
        `startup ratio certdocs/caddy: ${(med.certdocs / med.caddy).toFixed(2)} (median of ${Math.min(results.certdocs.length, results.caddy.length)})`,
      );
    } else {
      out('\nstartup ratio certdocs/caddy: n/a (a contender had no successful run)');
      process.exitCode = 1;
    }
    if (med['certdocs@24'] !== undefined && med.caddy !== undefined)
      out(`startup ratio certdocs@24/caddy: ${(med['certdocs@24'] / med.caddy).toFixed(2)}`);
    if (med.baseline !== undefined && med.certdocs !== undefined) {
      out(`certdocs / baseline (HTTPS, fresh certificate): ${(med.certdocs / med.baseline).toFixed(2)}`);
      out(`certdocs / baseline (plain HTTP): ${(med.bare / med['base-bare']).toFixed(2)}`);
    }
    for (const xs of Object.values(results)) if (xs.length < RUNS) process.exitCode = 1;
    const measure = `spawn -> first HTTPS answer with a fresh Pebble certificate (HTTP-01, loopback), ${RUNS} runs interleaved, median`;
    rows.push(row('cold', measure, results, 'certdocs', 0.7));
    if (node24)
      rows.push(
        row(
          'cold-node24',
          `${measure}; certdocs on ${node24Ver}`,
          results,
          'certdocs@24',
          0.7,
          'the container image runs Node 24',
        ),
      );
  }

  if (MODES.includes('warm')) {
    // Each tool gets its certificate once (a cold start in a directory that is kept), then every
    // warm run restarts it over that directory.
    const prepared = {};
    const prepare = async (key, domain, run) => {
      const dir = await mkdtemp2(`${key}-warm`);
      const r = await run(dir);
      if (r.error) throw new Error(`warm: getting ${key} its certificate failed: ${r.error}`);
      prepared[key] = { dir, domain };
    };
    const tools = [
      {
        key: 'certdocs',
        domain: 'warm-certdocs.example.test',
        run: (domain, dir, warm) => certdocs(domain, { dir, warm }),
      },
      { key: 'caddy', domain: 'warm-caddy.example.test', run: (domain, dir) => caddy(domain, { dir }) },
    ];
    if (node24)
      tools.push({
        key: 'certdocs@24',
        domain: 'warm-n24.example.test',
        run: (domain, dir, warm) => certdocs(domain, { dir, warm, node: node24 }),
      });
    if (baselineEntry)
      tools.push({
        key: 'baseline',
        domain: 'warm-baseline.example.test',
        run: (domain, dir, warm) => certdocs(domain, { dir, warm, entry: baselineEntry }),
      });
    for (const t of tools) await prepare(t.key, t.domain, (dir) => t.run(t.domain, dir, false));
    const contenders = tools.map((t) => ({
      key: t.key,
      run: () => t.run(prepared[t.key].domain, prepared[t.key].dir, true),
    }));
    // The floors, in the same iterations: Node's own start, and a bare node:https server over the
    // files certdocs stored (same domain, so the same certificate and handshake).
    const certsOf = (key) => join(prepared[key].dir, 'certs');
    const extras = [
      { key: 'node-e0', run: () => exitTime('node', ['-e', '0']) },
      { key: 'bare-https', run: () => bareHttps(prepared.certdocs.domain, certsOf('certdocs')) },
    ];
    if (node24)
      extras.push(
        { key: 'node-e0@24', run: () => exitTime('node24', ['-e', '0'], node24) },
        {
          key: 'bare-https@24',
          run: () => bareHttps(prepared['certdocs@24'].domain, certsOf('certdocs@24'), node24),
        },
      );
    const results = await runIterations(
      'WARM: spawn -> first HTTPS answer (2xx-4xx) with the certificate stored by an earlier run',
      contenders,
      extras,
    );
    out('every Node child ran with the same environment: NODE_EXTRA_CA_CERTS=<Pebble root>, no NODE_OPTIONS');
    const med = summary(results, {
      certdocs: 'certdocs: spawn -> HTTPS 2xx-4xx, stored certificate',
      caddy: 'caddy: spawn -> HTTPS 2xx-4xx, storage kept',
      'certdocs@24': `certdocs on ${node24Ver}, stored certificate`,
      baseline: `baseline (${values.baseline}), stored certificate`,
      'node-e0': 'floor: node -e 0, spawn -> exit',
      'bare-https': 'floor: bare node:https over the same files -> 200',
      'node-e0@24': `floor: node -e 0 on ${node24Ver}`,
      'bare-https@24': `floor: bare node:https on ${node24Ver}`,
    });
    const floorLine = (c, b, e) =>
      med[c] !== undefined && med[b] !== undefined && med[e] !== undefined
        ? out(
            `${c}: ${fmt(med[c])} ms = Node start ${fmt(med[e])} + node:https serving ${fmt(med[b] - med[e])} + certdocs' own ${fmt(med[c] - med[b])} (${(((med[c] - med[b]) / med[c]) * 100).toFixed(0)}% of it); floor/caddy ${(med[b] / med.caddy).toFixed(2)}`,
          )
        : undefined;
    out('');
    floorLine('certdocs', 'bare-https', 'node-e0');
    floorLine('certdocs@24', 'bare-https@24', 'node-e0@24');
    medians.warm = med;
    if (med.certdocs !== undefined && med.caddy !== undefined)
      out(
        `\nwarm ratio certdocs/caddy: ${(med.certdocs / med.caddy).toFixed(2)} (${fmt(med.certdocs)} / ${fmt(med.caddy)} ms)`,
      );
    else {
      out('\nwarm ratio certdocs/caddy: n/a (a contender had no successful run)');
      process.exitCode = 1;
    }
    if (med['certdocs@24'] !== undefined && med.caddy !== undefined)
      out(`warm ratio certdocs@24/caddy: ${(med['certdocs@24'] / med.caddy).toFixed(2)}`);
    if (med.baseline !== undefined && med.certdocs !== undefined)
      out(`certdocs / baseline (warm): ${(med.certdocs / med.baseline).toFixed(2)}`);
    for (const xs of Object.values(results)) if (xs.length < RUNS) process.exitCode = 1;
    const measure = `restart with the certificate stored -> first HTTPS answer (2xx-4xx; certdocs /healthz may say "starting"), ${RUNS} runs interleaved, median`;
    const floorNote = (b, e) =>
      med[b] === undefined
        ? undefined
        : `floor in the same run: bare node:https over the same files ${fmt(med[b])} ms (${(med[b] / med.caddy).toFixed(2)}x Caddy), node -e 0 ${fmt(med[e])} ms; same environment for every Node child`;
    rows.push(row('warm', measure, results, 'certdocs', 1.5, floorNote('bare-https', 'node-e0')));
    if (node24)
      rows.push(
        row(
          'warm-node24',
          `${measure}; certdocs on ${node24Ver}`,
          results,
          'certdocs@24',
          1.5,
          `the container image runs Node 24; ${floorNote('bare-https@24', 'node-e0@24') ?? ''}`,
        ),
      );
  }
  const loadAtEnd = load();
  out(`load average at end: ${loadAtEnd}`);

  if (values.json) {
    const report = {
      part: 'startup',
      meta: {
        node: process.version,
        ...(node24Ver ? { node24: node24Ver } : {}),
        anchors: { caddy: caddyVer, pebble: pebbleVer },
        cpus: os.cpus().length,
        runs: RUNS,
        warmup: WARMUP,
        pollMs: POLL_MS,
        loadAverage: { start: loadAtStart, end: loadAtEnd },
        medians: Object.fromEntries(
          Object.entries(medians).map(([mode, m]) => [
            mode,
            Object.fromEntries(
              Object.entries(m).map(([k, v]) => [k, v === undefined ? null : Math.round(v)]),
            ),
          ]),
        ),
      },
      rows,
    };
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    out(`wrote ${values.json}`);
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench-startup: ${e.stack ?? e}\n`);
  process.exitCode = 1;
} finally {
  if (PEBBLE) await PEBBLE.stop();
}
