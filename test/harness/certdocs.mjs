// @ts-check
/**
 * The built CLI (`node dist/bin/certdocs.js`) as a child process, for the integration tests and the
 * benchmarks, and the check that dist/ is the build of the current src/.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, LOOPBACK, launch, sleep, terminate } from './processes.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ENTRY = join(ROOT, 'dist', 'bin', 'certdocs.js');
/** The name the Pebble suites and benchmarks order certificates for (Pebble's DNS maps it to 127.0.0.1). */
export const DOMAIN = 'docs.example.test';

/** What the build reads: a change to any of these makes dist/ stale. */
const BUILD_INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.mjs'];

/**
 * Why dist/ is not the build of the current sources, or undefined when it is. The bundle is the
 * build's last step (a failed `tsc` skips it), so it is older than its sources unless the last
 * build of them succeeded.
 * @returns {string | undefined}
 */
export function staleBuildReason() {
  if (!existsSync(ENTRY)) return `${relative(ROOT, ENTRY)} does not exist`;
  const built = statSync(ENTRY).mtimeMs;
  let newest = { path: '', mtimeMs: 0 };
  /** @param {string} path */
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > newest.mtimeMs) newest = { path, mtimeMs: stat.mtimeMs };
  };
  for (const input of BUILD_INPUTS) visit(join(ROOT, input));
  if (newest.mtimeMs > built) return `dist/ is older than ${relative(ROOT, newest.path)}`;
  return undefined;
}

/** Throws unless dist/ was built from the current sources: a script would measure old code. */
export function assertBuildCurrent() {
  const stale = staleBuildReason();
  if (stale) throw new Error(`${stale}: run "npm run build" (and check that it succeeds)`);
}

/**
 * Runs `npm run build` when dist/ is stale; does nothing (a few stat calls) when it is current.
 * Throws if the build fails.
 */
export function buildIfStale() {
  const stale = staleBuildReason();
  if (!stale) return;
  process.stderr.write(`${stale}: running npm run build\n`);
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.error?.message ?? `exit ${r.status}`})`);
  assertBuildCurrent();
}

/**
 * Runs `node dist/bin/certdocs.js ...args` to the end (killed after `timeoutMs`) and resolves with
 * its exit code and output; a failing exit is a result, not a rejection.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, inheritEnv?: boolean, timeoutMs?: number }} [options] `env` is
 *   added to this process's environment, or with `inheritEnv: false` is the whole environment.
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function runCertdocs(args, { env, inheritEnv = true, timeoutMs = 20_000 } = {}) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ENTRY, ...args],
      { cwd: ROOT, env: inheritEnv ? { ...process.env, ...env } : env, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * @typedef {import('./processes.mjs').Launched} Cli A running `certdocs`; stderr() is its output.
 */

/**
 * Starts `node dist/bin/certdocs.js ...args` in the repository root. Its output (stderr, and stdout
 * unless `stdout: 'ignore'`) is kept; stop it with stopCertdocs().
 * @param {string[]} args
 * @param {Omit<import('./processes.mjs').LaunchOptions, 'cwd'>} [options] `env` is added to this
 *   process's environment.
 * @returns {Cli}
 */
export function startCertdocs(args, { env, ...options } = {}) {
  return launch('certdocs', process.execPath, [ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    ...options,
  });
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended.
 * @param {Cli} cli
 * @param {number} [graceMs]
 */
export function stopCertdocs(cli, graceMs = 5000) {
  return terminate(cli, graceMs);
}

/**
 * Arguments for a certdocs that orders its certificate for DOMAIN over HTTP-01 (answering on
 * `acmePort`) and serves HTTPS on 127.0.0.1:`port`, logging at info.
 * @param {{ directoryUrl: string, acmePort: number, port: number, certsDir: string }} o
 * @returns {string[]}
 */
export function acmeServeArgs(o) {
  return [
    '--domain',
    DOMAIN,
    '--acme-directory',
    o.directoryUrl,
    '--acme-port',
    String(o.acmePort),
    '--port',
    String(o.port),
    '--host',
    LOOPBACK,
    '--accept-tos',
    '--certs-dir',
    o.certsDir,
    '--log-level',
    'info',
  ];
}

/**
 * Starts `node dist/bin/certdocs.js --port <free> --host 127.0.0.1 ...args` and resolves once
 * /healthz reports the docs ready. Rejects with the server's stderr if it exits or times out.
 * @param {{ args?: string[], logLevel?: string, onStderrLine?: (line: string) => void, timeoutMs?: number }} [options]
 */
export async function startLocalServer({
  args = [],
  logLevel = 'warn',
  onStderrLine,
  timeoutMs = 60_000,
} = {}) {
  assertBuildCurrent();
  const port = await freePort();
  const cli = startCertdocs(['--port', String(port), '--host', LOOPBACK, '--log-level', logLevel, ...args], {
    stdout: 'ignore',
    keepChars: 20_000,
    onOutputLine: onStderrLine,
  });
  const stop = async () => {
    await terminate(cli, 3000);
  };
  const exited = () => cli.proc.exitCode !== null || cli.proc.signalCode !== null;
  const base = `http://${LOOPBACK}:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited())
      throw new Error(
        `the server exited during start-up (code ${cli.proc.exitCode}):\n${cli.stderr().trim()}`,
      );
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) {
        const health = /** @type {{ status?: string, docs?: { ready?: boolean } }} */ (await r.json());
        if (health.status === 'ok' || health.docs?.ready) {
          return { base, port, health, child: cli.proc, stop, stderr: cli.stderr, exited };
        }
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(
    `the server did not answer 200 on /healthz within ${timeoutMs / 1000} s:\n${cli.stderr().trim()}`,
  );
}
