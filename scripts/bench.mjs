#!/usr/bin/env node
// The benchmark suite: every comparison issue #12 names, in one bounded run, written as one table.
//
//   npm run bench [-- --parts startup,requests,scale] [--max-total 600] [--no-write] [--strict]
//                    [--out docs/benchmarks.md]
//
// Runs its parts one after another, each a script of its own that interleaves what it compares and
// reports medians (so a part can also be run alone while working on it):
//   startup   scripts/bench-startup.mjs   cold and warm start to the first HTTPS answer, vs Caddy
//   requests  scripts/bench-requests.mjs  /healthz, MCP fetch and MCP search with wrk, vs a bare Hono
//                                         app and the MCP SDK's stock stateless pattern
//   scale     scripts/bench-scale.mjs     10k and 50k synthetic documents: index time, peak RSS, p99
// Each part writes its rows as JSON (`--json FILE`); this script checks them, prints one table and
// replaces the block between the `bench:begin` and `bench:end` markers in docs/benchmarks.md with it,
// with the machine (cores, CPU, memory, load), Node, the anchors' versions and the commit measured.
// It installs the Debian anchors it needs (caddy, wrk, pebble) when they are missing, refuses a dist/
// older than src/, and stops every part that runs past its share of --max-total seconds (default
// 600). Exit status: 1 when a part failed or (with --strict) a target was missed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

/** The parts, in running order, with the options that keep each one inside its time share. */
const PARTS = {
  startup: {
    script: 'scripts/bench-startup.mjs',
    args: ['--runs', '9', '--warmup', '1', '--no-certbot', '--no-lego', '--modes', 'cold,warm', '--node24'],
    share: 0.3,
  },
  requests: { script: 'scripts/bench-requests.mjs', args: ['--rounds', '3', '--duration', '5'], share: 0.35 },
  scale: {
    script: 'scripts/bench-scale.mjs',
    args: ['--sizes', '10000,50000', '--persist-sizes', 'none'],
    share: 0.35,
  },
};

const USAGE =
  'usage: node scripts/bench.mjs [--parts startup,requests,scale] [--max-total S=600] [--no-write]\n' +
  '                              [--strict] [--out FILE=docs/benchmarks.md]\n';

function die(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      parts: { type: 'string', default: Object.keys(PARTS).join(',') },
      'max-total': { type: 'string', default: '600' },
      'no-write': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      out: { type: 'string', default: 'docs/benchmarks.md' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  die(`${error.message}\n${USAGE}`);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const parts = opts.parts.split(',').filter(Boolean);
for (const part of parts)
  if (!(part in PARTS)) die(`--parts: unknown part "${part}" (known: ${Object.keys(PARTS).join(', ')})`);
const maxTotal = Number(opts['max-total']);
if (!Number.isFinite(maxTotal) || maxTotal < 30)
  die(`--max-total must be a number of seconds >= 30, got "${opts['max-total']}"`);

// ---------------------------------------------------------------- prerequisites
function installAnchors() {
  const needs = ['caddy=caddy', 'wrk=wrk', 'pebble=pebble', 'pebble-challtestsrv=pebble', 'openssl=openssl'];
  execFileSync(
    'bash',
    ['-c', `. scripts/lib/apt.sh; APT_LOG_PREFIX=[bench]; apt_install_missing ${needs.join(' ')}`],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

async function assertFreshBuild() {
  const { staleBuildReason } = await import('../test/harness/certdocs.mjs');
  const reason = staleBuildReason();
  if (reason) die(`dist/ is not the build of src/ (${reason}): run \`npm run build\` first`);
}

function quiet(command, args) {
  try {
    return execFileSync(command, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function machine() {
  const cpus = os.cpus();
  const dirty = quiet('git', ['status', '--porcelain', '--untracked-files=no', 'src']) !== '';
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    commit: `${quiet('git', ['rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty ? ' (with uncommitted changes in src/)' : ''}`,
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    node: process.version,
    caddy: quiet('caddy', ['version']).split(' ')[0] || 'not installed',
    wrk:
      (quiet('wrk', ['--version']) || quiet('bash', ['-c', 'wrk --version 2>&1 || true']))
        .split('\n')[0]
        .split(' ')[1] ?? '',
    pebble: quiet('dpkg-query', ['-W', `-f=\${Version}`, 'pebble']),
  };
}

// ---------------------------------------------------------------- running a part
function runPart(name, budgetS, jsonFile) {
  const { script, args } = PARTS[name];
  const argv = [script, ...args, '--json', jsonFile];
  process.stdout.write(`\n=== ${name}: node ${argv.join(' ')}  (budget ${Math.round(budgetS)} s)\n`);
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`bench: ${name} ran past its ${Math.round(budgetS)} s share; stopping it\n`);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 5000).unref();
    }, budgetS * 1000);
    const onSignal = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const seconds = (Date.now() - started) / 1000;
      let result = null;
      let problem = null;
      if (timedOut) problem = `stopped after ${Math.round(seconds)} s (over its share)`;
      else if (code !== 0) problem = `exited with ${signal ?? `status ${code}`}`;
      if (existsSync(jsonFile)) {
        try {
          result = validate(name, JSON.parse(readFileSync(jsonFile, 'utf8')));
        } catch (error) {
          problem = `${problem ? `${problem}; ` : ''}its --json output is unusable: ${error.message}`;
        }
      } else if (!problem) problem = 'wrote no --json output';
      done({ name, seconds, result, problem });
    });
  });
}

/** Checks a part's rows against the contract, so a table cell can never be silently blank. */
function validate(name, data) {
  if (!Array.isArray(data?.rows) || data.rows.length === 0) throw new Error('no rows');
  for (const row of data.rows) {
    const where = `row ${JSON.stringify(row?.key)}`;
    if (typeof row.key !== 'string' || typeof row.measure !== 'string')
      throw new Error(`${where}: key and measure must be strings`);
    if (!Number.isFinite(row.certdocs)) throw new Error(`${where}: certdocs is not a number`);
    if (!row.target || !['<=', '>='].includes(row.target.op) || !Number.isFinite(row.target.value)) {
      throw new Error(`${where}: target must be { op: "<=" | ">=", value }`);
    }
    if (row.anchor) {
      if (!Number.isFinite(row.anchor.value) || row.anchor.value <= 0)
        throw new Error(`${where}: anchor.value is not a positive number`);
      row.ratio = row.certdocs / row.anchor.value; // recomputed: the table never trusts a copied ratio
    } else row.ratio = null;
    const measured = row.anchor ? row.ratio : row.certdocs;
    row.pass = row.target.op === '<=' ? measured <= row.target.value : measured >= row.target.value;
  }
  return { part: name, meta: data.meta ?? {}, rows: data.rows };
}

// ---------------------------------------------------------------- the table
function fmt(value, unit) {
  if (!Number.isFinite(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function table(results) {
  const lines = [
    '| measure | certdocs | anchor | ratio | target | |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { name, result, problem } of results) {
    if (!result) {
      lines.push(`| ${name}: not measured (${problem}) | — | — | — | — | FAIL |`);
      continue;
    }
    for (const row of result.rows) {
      const anchor = row.anchor ? `${row.anchor.name}: ${fmt(row.anchor.value, row.unit)}` : '—';
      const target = row.anchor
        ? `${row.target.op} ${row.target.value}`
        : `${row.target.op} ${row.target.value} ${row.target.unit ?? row.unit}`;
      const ratio = row.ratio === null ? '—' : row.ratio.toFixed(2);
      lines.push(
        `| ${row.measure} | ${fmt(row.certdocs, row.unit)} | ${anchor} | ${ratio} | ${target} | ${row.pass ? 'PASS' : 'FAIL'} |`,
      );
    }
    if (problem) lines.push(`| ${name}: ${problem} | | | | | FAIL |`);
  }
  return lines.join('\n');
}

function section(results, m) {
  const commands = results.map(
    (r) => `\`node ${PARTS[r.name].script} ${PARTS[r.name].args.join(' ')}\` (${Math.round(r.seconds)} s)`,
  );
  const metaLines = results
    .filter((r) => r.result && Object.keys(r.result.meta).length)
    .map((r) => {
      // Long values (per-size results, growth tables) are in the part's own output, not the table.
      const shown = Object.entries(r.result.meta)
        .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
        .filter(([, v]) => v.length <= 200);
      return `- ${r.name}: ${shown.map(([k, v]) => `${k} ${v}`).join('; ')}`;
    });
  const notes = results.flatMap((r) =>
    (r.result?.rows ?? []).filter((row) => row.note).map((row) => `- ${row.key}: ${row.note}`),
  );
  return [
    BEGIN,
    `Measured ${m.date} UTC by \`npm run bench\` on commit ${m.commit}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB,`,
    `load average at start ${m.load}; Node ${m.node}, Caddy ${m.caddy}, Pebble ${m.pebble}, wrk ${m.wrk}.`,
    'Values are medians; the ratio is certdocs ÷ anchor, computed from the medians shown.',
    '',
    table(results),
    '',
    `Parts, in order: ${commands.join('; ')}.`,
    ...(metaLines.length ? ['', ...metaLines] : []),
    ...(notes.length ? ['', ...notes] : []),
    END,
  ].join('\n');
}

function writeSection(file, text) {
  const path = resolve(ROOT, file);
  const current = readFileSync(path, 'utf8');
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  let next;
  if (begin >= 0 && end > begin) next = current.slice(0, begin) + text + current.slice(end + END.length);
  else {
    // First run: the suite's table goes first, under its own heading, before the per-part sections.
    const at = current.indexOf('\n## ');
    const heading = '## The suite: `npm run bench`\n\n';
    next =
      at >= 0
        ? `${current.slice(0, at + 1)}${heading}${text}\n\n${current.slice(at + 1)}`
        : `${current}\n${heading}${text}\n`;
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, path);
}

// ---------------------------------------------------------------- main
installAnchors();
await assertFreshBuild();
const m = machine();
process.stdout.write(
  `bench: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, load ${m.load}, node ${m.node}, commit ${m.commit}\n`,
);
const tmp = mkdtempSync(join(os.tmpdir(), 'certdocs-bench-'));
const results = [];
const started = Date.now();
try {
  const shares = parts.reduce((sum, p) => sum + PARTS[p].share, 0);
  for (const part of parts) {
    const left = maxTotal - (Date.now() - started) / 1000;
    const budget = Math.max(20, Math.min(left, (maxTotal * PARTS[part].share) / shares + 30));
    results.push(await runPart(part, budget, join(tmp, `${part}.json`)));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const text = section(results, m);
process.stdout.write(`\n${table(results)}\n\nbench: ${Math.round((Date.now() - started) / 1000)} s in all\n`);
if (!opts['no-write']) {
  writeSection(opts.out, text);
  process.stdout.write(`bench: wrote the table to ${opts.out}\n`);
}
const failedPart = results.some((r) => !r.result || r.problem);
const missed = results.some((r) => r.result?.rows.some((row) => !row.pass));
if (failedPart || (opts.strict && missed)) process.exitCode = 1;
