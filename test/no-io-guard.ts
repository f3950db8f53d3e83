/**
 * test/unit does no I/O: while this guard is installed, the entry points a test (or the code it
 * runs) would use to touch files, sockets or processes throw instead, so a suite that needs them
 * fails at once with a pointer to where it belongs. test/unit-setup.ts installs it for the `unit`
 * project; test/integration/no-io-guard.test.ts proves that it catches what it should.
 * Two callers are let through, told apart by the call stack: Node loading a module
 * (the import of a test file, a dynamic import in src/) and Vitest's own machinery. Everything else
 * is the test's doing.
 *
 * Timers, the clock, crypto and process.stdout/stderr are not I/O in this sense and stay as they are.
 */
// The default exports: the modules' own objects, which the named ESM bindings are synced from.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

export const NO_IO_MESSAGE = 'unit tests do no I/O: use a fake or move this to test/integration';

const PATCHED = Symbol.for('certdocs.no-io');

const NODE_INTERNAL = /\(node:|at node:/;
const MODULE_LOADING = /node:internal\/modules\//;
const VITEST = /\/node_modules\/(vitest|@vitest|vite|vite-node|tinypool)\//;

function calledByTestCode(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  // Skip the Error line, this function and the guard wrapper. Then only the callers nearest the call
  // count: Node's own frames up to the first frame of JavaScript code, and that frame.
  const frames = stack.split('\n').slice(3);
  const first = frames.findIndex((f) => !NODE_INTERNAL.test(f));
  const internal = first === -1 ? frames : frames.slice(0, first);
  if (internal.some((f) => MODULE_LOADING.test(f))) return false;
  const caller = frames[first];
  return !(caller !== undefined && VITEST.test(caller));
}

type Fn = (...args: unknown[]) => unknown;
const originals: Array<{ record: Record<string, unknown>; name: string; original: Fn }> = [];

function guard(target: object, names: readonly string[], where: string): void {
  const record = target as Record<string, unknown>;
  for (const name of names) {
    const original = record[name];
    if (typeof original !== 'function' || (original as { [PATCHED]?: true })[PATCHED]) continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      if (calledByTestCode()) throw new Error(`${NO_IO_MESSAGE} (${where}.${name})`);
      return (original as Fn).apply(this, args);
    };
    Object.defineProperty(wrapped, PATCHED, { value: true });
    record[name] = wrapped;
    originals.push({ record, name, original: original as Fn });
  }
}

const FS_CALLS = [
  'access',
  'appendFile',
  'copyFile',
  'cp',
  'exists',
  'lstat',
  'mkdir',
  'mkdtemp',
  'open',
  'opendir',
  'readFile',
  'readdir',
  'readlink',
  'realpath',
  'rename',
  'rm',
  'rmdir',
  'stat',
  'symlink',
  'truncate',
  'unlink',
  'utimes',
  'watch',
  'writeFile',
] as const;

/** Makes file, socket and child-process calls from test code throw. Idempotent. */
export function installNoIoGuard(): void {
  guard(
    fs,
    [...FS_CALLS, ...FS_CALLS.map((n) => `${n}Sync`), 'createReadStream', 'createWriteStream', 'watchFile'],
    'fs',
  );
  guard(fs.promises, FS_CALLS, 'fs.promises');
  guard(net.Server.prototype, ['listen'], 'net.Server');
  guard(net.Socket.prototype, ['connect'], 'net.Socket');
  guard(
    childProcess,
    ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'],
    'child_process',
  );
  // `import { readFileSync } from 'node:fs'` is a binding of the ES module, not a property lookup.
  syncBuiltinESMExports();
}

/** Puts the real functions back (for the test that proves the guard works). */
export function removeNoIoGuard(): void {
  for (const { record, name, original } of originals.splice(0)) record[name] = original;
  syncBuiltinESMExports();
}
