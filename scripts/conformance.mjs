#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against a freshly
// started certdocs server (built dist/, bundled docs, loopback only).
//
//   npm run build && node scripts/conformance.mjs [scenario ...]
//
// Prints one line per scenario (PASS/FAIL + reason), then `conformance: N passed, M failed`;
// exits 1 if any scenario failed (2 on setup errors). CONFORMANCE_VERBOSE=1 also prints the
// details of every failed check (the HTTP status/body the suite saw).
//
// The suite needs Node >= 22, so it runs via `npx -p node@22`. Results are read from the
// checks.json the CLI writes with `-o DIR` (status per check: SUCCESS / FAILURE / WARNING / INFO /
// SKIPPED; only FAILURE fails), cross-checked with its exit code (1 when a check failed).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ENTRY as mainJs, startLocalServer } from '../test/harness/certdocs.mjs';

const CONFORMANCE_VERSION = '0.1.16'; // npm "latest" of @modelcontextprotocol/conformance
const NODE_SPEC = 'node@22';

/**
 * Scenarios that apply to certdocs (tools search/fetch/list_documents/outline, docs:// resources).
 * Left out on purpose: everything that needs the suite's own fixture tools/resources/prompts
 * (tools-call-*, resources-read-*, resources-templates-read, json-schema-2020-12, server-sse-polling
 * with test_reconnection, prompts-*), capabilities certdocs does not declare (logging-set-level,
 * completion-complete, resources-subscribe/unsubscribe) and client features it never uses
 * (sampling, elicitation-*).
 */
const DEFAULT_SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];

const TOTAL_BUDGET_MS = 5 * 60_000;
const HEALTH_TIMEOUT_MS = 10_000;
const PREPARE_TIMEOUT_MS = 180_000; // first npx run may download node@22 and the suite
const SCENARIO_TIMEOUT_MS = 60_000;

const verbose = /^(1|true|yes)$/i.test(process.env.CONFORMANCE_VERBOSE ?? '');
const started = Date.now();
const remaining = () => TOTAL_BUDGET_MS - (Date.now() - started);

const children = new Set(); // every process group we started, killed on exit
let server; // from startLocalServer(), which also kills it on exit
let workDir;

function log(line) {
  process.stdout.write(`${line}\n`);
}

function killGroup(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the child leads its own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Runs a command in its own process group; resolves with its exit code and output, never rejects. */
function run(cmd, args, { timeoutMs, cwd }) {
  return new Promise((ok) => {
    const child = spawn(cmd, args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        npm_config_yes: 'true',
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_loglevel: 'error',
      },
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(child, 'SIGTERM');
        setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
      },
      Math.max(1000, timeoutMs),
    );
    const done = (code, error) => {
      clearTimeout(timer);
      children.delete(child);
      ok({ code, stdout, stderr, timedOut, error });
    };
    child.on('error', (e) => done(null, e));
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : null)));
  });
}

const stripAnsi = (s) => stripVTControlCharacters(String(s));
const oneLine = (s, max = 200) => {
  const t = stripAnsi(String(s)).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
const tail = (s, n = 5) => stripAnsi(s).trim().split('\n').slice(-n).join(' | ');

function conformanceArgs(...rest) {
  return [
    '-y',
    '-p',
    NODE_SPEC,
    '-p',
    `@modelcontextprotocol/conformance@${CONFORMANCE_VERSION}`,
    'conformance',
    ...rest,
  ];
}

async function findFiles(dir, name) {
  const out = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await findFiles(p, name)));
    else if (e.name === name) out.push(p);
  }
  return out;
}

async function runScenario(url, name) {
  const outDir = join(workDir, `out-${name.replace(/[^\w.-]/g, '_')}`);
  const budget = Math.min(SCENARIO_TIMEOUT_MS, remaining() - 5000);
  if (budget < 2000) return { ok: false, reason: 'skipped: overall time budget exhausted' };
  const r = await run('npx', conformanceArgs('server', '--url', url, '--scenario', name, '-o', outDir), {
    timeoutMs: budget,
    cwd: workDir,
  });
  if (r.error) return { ok: false, reason: `could not run npx: ${r.error.message}` };
  if (r.timedOut) return { ok: false, reason: `timed out after ${Math.round(budget / 1000)}s` };

  const files = await findFiles(outDir, 'checks.json');
  let checks;
  if (files.length) {
    try {
      checks = JSON.parse(await readFile(files[0], 'utf8'));
    } catch (e) {
      return { ok: false, reason: `unreadable checks.json (${e.message}); exit ${r.code}` };
    }
  }
  if (!Array.isArray(checks)) {
    // Fall back to the CLI's own summary line: "Passed: 3/3, 0 failed, 0 warnings".
    const m = stripAnsi(r.stdout).match(/Passed:\s*(\d+)\/(\d+),\s*(\d+)\s*failed/);
    if (m && r.code === 0 && m[3] === '0' && Number(m[2]) > 0) {
      return { ok: true, reason: `${m[1]}/${m[2]} checks passed (no checks.json)` };
    }
    return {
      ok: false,
      reason: `no results (exit ${r.code}): ${tail(r.stderr || r.stdout, 3) || 'no output'}`,
    };
  }

  const failed = checks.filter((c) => c.status === 'FAILURE');
  const counted = checks.filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE');
  const warnings = checks.filter((c) => c.status === 'WARNING');
  const extra = warnings.length
    ? `; warnings: ${warnings.map((c) => `${c.id}${c.errorMessage ? ` (${oneLine(c.errorMessage, 80)})` : ''}`).join(', ')}`
    : '';
  if (failed.length) {
    const why = failed.map((c) => `${c.id}: ${oneLine(c.errorMessage ?? c.description, 160)}`).join('; ');
    return { ok: false, reason: `${failed.length}/${counted.length} checks failed: ${why}${extra}`, failed };
  }
  if (counted.length === 0)
    return { ok: false, reason: `no pass/fail checks reported (exit ${r.code})${extra}` };
  if (r.code !== 0) {
    return { ok: false, reason: `checks passed but CLI exited ${r.code}: ${tail(r.stderr || r.stdout, 3)}` };
  }
  return { ok: true, reason: `${counted.length}/${counted.length} checks passed${extra}` };
}

async function main() {
  if (!existsSync(mainJs)) {
    process.stderr.write(`conformance: ${mainJs} not found; run \`npm run build\` first\n`);
    return 2;
  }
  const scenarios = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const wanted = scenarios.length ? scenarios : DEFAULT_SCENARIOS;
  workDir = await mkdtemp(join(tmpdir(), 'certdocs-conformance-'));

  // Fetch node@22 + the suite once (outside the per-scenario timeout) and learn its scenario names.
  const list = await run('npx', conformanceArgs('list', '--server'), {
    timeoutMs: Math.min(PREPARE_TIMEOUT_MS, remaining() - 30_000),
    cwd: workDir,
  });
  if (list.code !== 0) {
    const why = list.error ? list.error.message : list.timedOut ? 'timed out' : `exit ${list.code}`;
    process.stderr.write(
      `conformance: could not run @modelcontextprotocol/conformance@${CONFORMANCE_VERSION} under ${NODE_SPEC} (${why}): ${tail(list.stderr || list.stdout)}\n`,
    );
    log(`conformance: 0 passed, ${wanted.length} failed`);
    return 1;
  }
  const known = new Set([...stripAnsi(list.stdout).matchAll(/^\s*-\s+(\S+)/gm)].map((m) => m[1]));

  let url;
  try {
    server = await startLocalServer({ timeoutMs: HEALTH_TIMEOUT_MS });
    url = `${server.base}/mcp`;
  } catch (e) {
    process.stderr.write(`conformance: ${e.message}\n`);
    log(`conformance: 0 passed, ${wanted.length} failed`);
    return 1;
  }

  let passed = 0;
  let failedCount = 0;
  for (const name of wanted) {
    let result;
    if (known.size && !known.has(name)) {
      result = { ok: false, reason: `unknown scenario in conformance@${CONFORMANCE_VERSION}` };
    } else if (server.exited()) {
      result = { ok: false, reason: `server died: ${tail(server.stderr(), 3)}` };
    } else {
      result = await runScenario(url, name);
    }
    if (result.ok) passed++;
    else failedCount++;
    log(`${result.ok ? 'PASS' : 'FAIL'} ${name}: ${result.reason}`);
    if (verbose && result.failed) {
      for (const c of result.failed) log(`  ${c.id} details: ${JSON.stringify(c.details ?? {})}`);
    }
  }
  log(`conformance: ${passed} passed, ${failedCount} failed`);
  return failedCount ? 1 : 0;
}

async function cleanup() {
  await server?.stop();
  for (const c of children) killGroup(c, 'SIGKILL');
  if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => {});
}

// `on`, not `once`: while this listens, the harness's own handler leaves exiting to this one.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup().finally(() => process.exit(130));
  });
}
process.once('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL'); // last resort, synchronous
});

const hardStop = setTimeout(() => {
  process.stderr.write(`conformance: overall time limit (${TOTAL_BUDGET_MS / 1000}s) exceeded\n`);
  cleanup().finally(() => process.exit(1));
}, TOTAL_BUDGET_MS + 15_000);
hardStop.unref();

let code = 1;
try {
  code = await main();
} catch (e) {
  process.stderr.write(`conformance: unexpected error: ${e?.stack ?? e}\n`);
  code = 2;
} finally {
  await cleanup();
}
process.exit(code);
