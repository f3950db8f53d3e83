#!/usr/bin/env node
// Start-up time to a served, CA-issued certificate: certdocs vs Caddy, both against one Pebble.
//
//   npm run build && node scripts/bench-startup.mjs [--runs 11] [--warmup 1] [--run-timeout 30]
//                                                   [--max-total 900] [--no-certbot] [--no-lego]
//
// For each run: wall time from spawn() to the first successful HTTPS GET /healthz on 127.0.0.1,
// verified against Pebble's issuing root + intermediate (rejectUnauthorized, servername = domain),
// polled every 10 ms. Every run gets a fresh certificate: fresh certs/storage dir, a domain of its
// own, and Pebble with PEBBLE_AUTHZREUSE=0, PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0.
//   certdocs  node dist/bin/certdocs.js --domain ... (HTTP-01 on Pebble's httpPort)
//   caddy     caddy run with a Caddyfile (HTTP-01 only; TLS-ALPN-01 disabled); any 2xx-4xx counts
// certdocs and Caddy alternate within each iteration (and swap order every iteration), so noise
// hits both. For context: certdocs without a domain (spawn -> plain-HTTP /healthz 200), `node -e 0`
// (spawn -> exit), and, when installed, certbot / lego standalone: time to certificate FILE on
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

// ---------------------------------------------------------------- options
const USAGE =
  'usage: node scripts/bench-startup.mjs [--runs N=11] [--warmup W=1] [--run-timeout S=30]\n' +
  '                                      [--max-total S=900] [--no-certbot] [--no-lego]\n' +
  '                                      [--baseline CHECKOUT]  (another build, e.g. main before a change)\n';
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

/** Runs one timed start; `body(t0)` spawns and returns { child, t1 }. Always stops the child. */
async function timed(label, ports, body) {
  const dir = await mkdtemp2(label);
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

async function certdocs(domain, entry = ENTRY) {
  const [port] = await freePorts(1);
  return timed('certdocs', [PEBBLE.httpPort, port], async (ctx, deadline) => {
    // biome-ignore format: one flag per pair
    ctx.child = launch(process.execPath, [entry,
      '--domain', domain, '--acme-directory', PEBBLE.directoryUrl, '--acme-port', String(PEBBLE.httpPort),
      '--port', String(port), '--host', LOOPBACK, '--accept-tos', '--certs-dir', join(ctx.dir, 'certs'),
      '--log-level', 'warn'], { cwd: ctx.dir, env: { ...process.env, NODE_EXTRA_CA_CERTS: PEBBLE.caPath } });
    return pollUntil(
      ctx.child,
      'HTTPS /healthz 200',
      deadline,
      httpsOk(port, domain, (s) => s === 200),
    );
  });
}

async function caddy(domain) {
  const [port] = await freePorts(1);
  return timed('caddy', [PEBBLE.httpPort, port], async (ctx, deadline) => {
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
  });
}

async function certdocsBare(entry = ENTRY) {
  const [port] = await freePorts(1);
  return timed('bare', [port], async (ctx, deadline) => {
    ctx.child = launch(
      process.execPath,
      [entry, '--port', String(port), '--host', LOOPBACK, '--log-level', 'warn'],
      { cwd: ctx.dir },
    );
    return pollUntil(
      ctx.child,
      'HTTP /healthz 200',
      deadline,
      async () => (await get(http, { host: LOOPBACK, port, path: '/healthz' })).status === 200,
    );
  });
}

async function exitTime(label, args) {
  return timed(label, [], async (ctx) => {
    ctx.child = launch(process.execPath, args, { cwd: ctx.dir });
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

async function main() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} not found: run npm run build first`);
  for (const bin of ['pebble', 'pebble-challtestsrv', 'caddy', 'openssl'])
    if (!onPath(bin)) throw new Error(`${bin} not found on PATH`);
  const contenders = [
    { key: 'certdocs', run: (i) => certdocs(`run${i}-certdocs.example.test`) },
    { key: 'caddy', run: (i) => caddy(`run${i}-caddy.example.test`) },
  ];
  // Another build of certdocs, run in the same iterations so that load hits both alike.
  const baselineEntry = values.baseline && join(values.baseline, 'dist', 'bin', 'certdocs.js');
  if (baselineEntry && !existsSync(baselineEntry))
    throw new Error(`${baselineEntry} not found: build the baseline first`);
  if (baselineEntry) {
    contenders.push({
      key: 'baseline',
      run: (i) => certdocs(`run${i}-baseline.example.test`, baselineEntry),
    });
  }
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

  const version = async (cmd, args) => (await execText(cmd, args).catch(() => '?')).trim().split('\n')[0];
  const pebbleVer = await version('dpkg-query', ['-W', '-f', '$' + '{Version}', 'pebble']);
  const caddyVer = await version('caddy', ['version']);
  PEBBLE = await startPebble();
  const out = (s) => process.stdout.write(`${s}\n`);
  out(
    `bench-startup: node ${process.version}, caddy ${caddyVer}, pebble ${pebbleVer}, ${os.cpus().length} CPUs, ${os.platform()} ${os.release()}`,
  );
  out(
    `pebble: PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0, HTTP-01 on 127.0.0.1:${PEBBLE.httpPort}`,
  );
  out(`${RUNS} runs (+${WARMUP} warm-up, not counted), poll every ${POLL_MS} ms, times in ms from spawn()`);
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  out(
    `load average at start: ${load()} (certdocs start-up is CPU-bound, Caddy's mostly waits: compare ratios only at similar load)`,
  );

  const keys = [...contenders, ...extras].map((c) => c.key);
  const results = Object.fromEntries(keys.map((k) => [k, []]));
  const W = 10;
  out(`\n${'run'.padEnd(6)}${keys.map((k) => k.padStart(W)).join('')}   (order of certdocs/caddy)`);
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
      `${label.padEnd(6)}${keys.map((k) => fmt(row[k]).padStart(W)).join('')}   (${order.map((c) => c.key).join(' first, ')})`,
    );
    for (const e of errors) out(e);
  }

  const desc = {
    certdocs: 'certdocs: spawn -> HTTPS /healthz 200 with a Pebble cert',
    caddy: 'caddy: spawn -> HTTPS response with a Pebble cert',
    bare: 'certdocs without --domain: spawn -> HTTP /healthz 200',
    baseline: `baseline (${values.baseline}): spawn -> HTTPS /healthz 200`,
    'base-bare': 'baseline without --domain: spawn -> HTTP /healthz 200',
    'node-e0': 'node -e 0: spawn -> exit',
    help: 'certdocs --help: spawn -> exit (all static imports)',
    certbot: 'certbot standalone: time to certificate file*',
    lego: 'lego --http: time to certificate file*',
  };
  out(`\n${'(ms)'.padEnd(58)}${['n', 'min', 'median', 'max'].map((h) => h.padStart(8)).join('')}`);
  const med = {};
  for (const k of keys) {
    const xs = results[k];
    med[k] = xs.length ? median(xs) : undefined;
    const cells = xs.length ? [xs.length, Math.min(...xs), med[k], Math.max(...xs)] : [0];
    out(`${desc[k].padEnd(58)}${cells.map((v, j) => (j ? fmt(v) : String(v)).padStart(8)).join('')}`);
  }
  if (extras.some((e) => e.key === 'certbot' || e.key === 'lego'))
    out(
      '* time to certificate file on disk (process exit 0 required); no server: not comparable to serving.',
    );
  if (med.certdocs !== undefined && med.caddy !== undefined) {
    const n = Math.min(results.certdocs.length, results.caddy.length);
    out(`\ncertdocs median / caddy median = ${fmt(med.certdocs)} / ${fmt(med.caddy)} ms`);
    out(`startup ratio certdocs/caddy: ${(med.certdocs / med.caddy).toFixed(2)} (median of ${n})`);
  } else {
    out('\nstartup ratio certdocs/caddy: n/a (a contender had no successful run)');
    process.exitCode = 1;
  }
  if (med.baseline !== undefined && med.certdocs !== undefined) {
    out(`certdocs / baseline (HTTPS, fresh certificate): ${(med.certdocs / med.baseline).toFixed(2)}`);
    out(`certdocs / baseline (plain HTTP): ${(med.bare / med['base-bare']).toFixed(2)}`);
  }
  out(`load average at end: ${load()}`);
  for (const k of keys) if (results[k].length < RUNS) process.exitCode = 1;
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench-startup: ${e.stack ?? e}\n`);
  process.exitCode = 1;
} finally {
  if (PEBBLE) await PEBBLE.stop();
}
