// @ts-check
/**
 * Child processes, free ports and bounded waits: the ground floor of the harness that tests and
 * benchmarks share (plain JavaScript so a benchmark runs it with plain node; JSDoc types for the tests).
 * Every child started with launch() is SIGKILLed when this process exits or is signalled, however
 * a test or script ends. Everything binds 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import * as net from 'node:net';
import { delimiter, join } from 'node:path';

export const LOOPBACK = '127.0.0.1';

/**
 * @param {string} bin
 * @returns {string | undefined} the path of `bin` if it is an executable on PATH
 */
export function findOnPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Reserves `n` distinct free TCP ports on 127.0.0.1 (all bound at once, then released).
 * @param {number} n
 * @returns {Promise<number[]>}
 */
export async function freePorts(n) {
  /** @type {net.Server[]} */
  const servers = [];
  try {
    const ports = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, LOOPBACK, () => resolve(undefined));
      });
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  }
}

/** @returns {Promise<number>} a free TCP port on 127.0.0.1 */
export async function freePort() {
  const [port] = await freePorts(1);
  return /** @type {number} */ (port);
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit
 * @typedef {object} Launched A child process with its output kept for error messages.
 * @property {string} name For messages: "certdocs", "pebble" …
 * @property {import('node:child_process').ChildProcess} proc
 * @property {number} startedAt Date.now() at spawn.
 * @property {() => string} stderr Its stderr (and stdout, when piped) so far, interleaved.
 * @property {Promise<Exit>} exited Resolves when it has exited.
 *
 * @typedef {object} LaunchOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env]
 * @property {'pipe' | 'ignore'} [stdout] Collect stdout with stderr (default), or drop it.
 * @property {number} [keepChars] Keep only the last so many characters of output (default: all).
 * @property {(line: string) => void} [onOutputLine] Called with each complete line of collected output.
 */

/** Every running child started by launch(), with its name. @type {Map<import('node:child_process').ChildProcess, string>} */
const children = new Map();
let hooksInstalled = false;

function killAllSync() {
  for (const p of children.keys()) if (running(p)) p.kill('SIGKILL');
}

/** @type {Array<() => void>} */
const exitCleanups = [];

/**
 * Runs `cleanup` (synchronously) when this process exits or is signalled, after killing the children.
 * @param {() => void} cleanup
 */
export function onExit(cleanup) {
  installExitHooks();
  exitCleanups.push(cleanup);
}

function cleanupSync() {
  killAllSync();
  for (const c of exitCleanups.splice(0)) {
    try {
      c();
    } catch {
      // best effort
    }
  }
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupSync);
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    const handler = () => {
      cleanupSync();
      process.removeListener(sig, handler);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/**
 * Spawns `cmd args` with stdin ignored and stderr (and stdout unless `stdout: 'ignore'`) collected.
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 * @param {LaunchOptions} [options]
 * @returns {Launched}
 */
export function launch(name, cmd, args, options = {}) {
  installExitHooks();
  const { cwd, env, stdout = 'pipe', keepChars = Number.POSITIVE_INFINITY, onOutputLine } = options;
  const proc = spawn(cmd, args, { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
  children.set(proc, name);
  let output = '';
  /** @param {import('node:stream').Readable | null} stream */
  const collect = (stream) => {
    let pending = '';
    stream?.on('data', (/** @type {Buffer} */ chunk) => {
      const text = chunk.toString('utf8');
      output += text;
      if (output.length > keepChars) output = output.slice(-keepChars);
      if (!onOutputLine) return;
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onOutputLine(line);
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  /** @type {Promise<Exit>} */
  const exited = new Promise((resolve) => {
    const done = (/** @type {Exit} */ exit) => {
      children.delete(proc);
      resolve(exit);
    };
    proc.once('exit', (code, signal) => done({ code, signal }));
    // A command that could not be started (ENOENT …) emits no 'exit'; keep its error as output.
    proc.once('error', (e) => {
      output += `spawn error: ${e.message}\n`;
      if (proc.pid === undefined) done({ code: proc.exitCode, signal: null });
    });
  });
  return { name, proc, startedAt: Date.now(), stderr: () => output, exited };
}

/** @param {import('node:child_process').ChildProcess} p */
export function running(p) {
  return p.exitCode === null && p.signalCode === null;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended.
 * @param {Launched} child
 * @param {number} [graceMs]
 * @returns {Promise<Exit>}
 */
export async function terminate(child, graceMs = 3000) {
  if (running(child.proc)) child.proc.kill('SIGTERM');
  const timer = setTimeout(() => running(child.proc) && child.proc.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SIGKILLs every child started by launch() under `name` (or every child) that is still running, and
 * waits for them to go.
 * @param {string} [name]
 * @returns {Promise<void>}
 */
export async function killAll(name) {
  const doomed = [...children].filter(([, n]) => name === undefined || n === name).map(([p]) => p);
  await Promise.all(
    doomed.map(async (p) => {
      p.kill('SIGKILL');
      await new Promise((r) => (running(p) ? p.once('exit', r) : r(undefined)));
    }),
  );
}

/**
 * Polls `probe` every 100 ms until it returns a value other than undefined; fails early, with the
 * child's output, if a watched child exits.
 * @template T
 * @param {string} what For messages.
 * @param {number} timeoutMs
 * @param {Launched | Launched[] | undefined} watched
 * @param {() => Promise<T | undefined>} probe
 * @returns {Promise<T>}
 */
export async function waitFor(what, timeoutMs, watched, probe) {
  const children = watched === undefined ? [] : Array.isArray(watched) ? watched : [watched];
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    for (const c of children) {
      if (!running(c.proc)) {
        throw new Error(
          `${c.name} exited (${c.proc.exitCode ?? c.proc.signalCode}) while waiting for ${what}:\n${c.stderr()}`,
        );
      }
    }
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      const outputs = children.map((c) => `--- ${c.name} output ---\n${c.stderr()}`).join('\n');
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${last})` : ''}\n${outputs}`,
      );
    }
    await sleep(100);
  }
}
