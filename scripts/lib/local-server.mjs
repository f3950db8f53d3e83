// The built CLI as a child process on a free loopback port, for the scripts that measure it.
// Every server started here is killed when the script exits, however it exits.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ENTRY = join(ROOT, 'dist', 'bin', 'certdocs.js');
export const CORPORA = ['/usr/share/doc/nodejs/api', join(ROOT, '.cache', 'nodejs-api')];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Realistic questions the load benchmarks rotate through (bench-mcp, bench-renewal). */
export const QUERIES = [
  'read a file line by line',
  'keep a timer from holding the process open',
  'createSecureContext',
  'spawn a child process and capture its output',
  'how to hash a password with scrypt',
  'worker threads share memory',
  'parse command line arguments',
  'EventEmitter memory leak warning max listeners',
  'stream backpressure pipeline',
  'resolve a hostname to an IP address',
];

/**
 * Throws unless dist/ was built from the current src/: a failed `npm run build` (tsc errors)
 * skips the bundle step and leaves dist/bin stale, and a script would then measure old code.
 */
export function assertBuildCurrent() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} does not exist: run "npm run build" first`);
  const built = statSync(ENTRY).mtimeMs;
  let newest = { path: '', mtimeMs: 0 };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const { mtimeMs } = statSync(path);
        if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
      }
    }
  };
  walk(join(ROOT, 'src'));
  if (newest.mtimeMs > built)
    throw new Error(
      `dist/ is older than ${relative(ROOT, newest.path)}: run "npm run build" (and check that it succeeds)`,
    );
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`${sig}: stopping the server\n`);
    killAll();
    process.exit(130);
  });
}

/**
 * Starts `node dist/bin/certdocs.js --port <free> --host 127.0.0.1 ...args` and resolves once
 * /healthz reports the docs ready. Rejects with the server's stderr if it exits or times out.
 */
export async function startLocalServer({
  args = [],
  logLevel = 'warn',
  onStderrLine,
  timeoutMs = 60_000,
} = {}) {
  assertBuildCurrent();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [ENTRY, '--port', String(port), '--host', '127.0.0.1', '--log-level', logLevel, ...args],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let exited = false;
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onStderrLine?.(line);
  });
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited)
      throw new Error(`the server exited during start-up (code ${child.exitCode}):\n${stderr.trim()}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) {
        const health = await r.json();
        if (health.status === 'ok' || health.docs?.ready) {
          return { base, port, health, child, stop, stderr: () => stderr, exited: () => exited };
        }
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(
    `the server did not answer 200 on /healthz within ${timeoutMs / 1000} s:\n${stderr.trim()}`,
  );
}
