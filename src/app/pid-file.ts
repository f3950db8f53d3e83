import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<certs-dir>/certdocs.pid` lets `certdocs cert renew` ask the running server (SIGHUP) to renew,
 * since the server holds the HTTP-01 port the CLI would need.
 */
export function pidFilePath(certsDir: string): string {
  return join(certsDir, 'certdocs.pid');
}

export function writePidFile(certsDir: string): () => void {
  const path = pidFilePath(certsDir);
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
    } catch {
      // already gone
    }
  };
}

/** `process.kill` as used here; tests pass a fake to play a dead or foreign process. */
export type Kill = (pid: number, signal: NodeJS.Signals | 0) => unknown;
const systemKill: Kill = (pid, signal) => process.kill(pid, signal);

/** The pid of a live certdocs server for this certs dir, if there is one. */
export function runningServerPid(certsDir: string, kill: Kill = systemKill): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFilePath(certsDir), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  // EPERM: the process exists but belongs to another user, so it is alive; ESRCH: it is gone.
  return signalServer(pid, 0, kill) === 'gone' ? undefined : pid; // gone: stale file from a crashed run
}

/**
 * Sends `signal` to the server: `sent`, `gone` (it exited meanwhile, or never was) or
 * `forbidden` (it runs as another user).
 */
export function signalServer(
  pid: number,
  signal: NodeJS.Signals | 0,
  kill: Kill = systemKill,
): 'sent' | 'gone' | 'forbidden' {
  try {
    kill(pid, signal);
    return 'sent';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return 'forbidden';
    if (code === 'ESRCH') return 'gone';
    throw e;
  }
}
