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

/** The pid of a live certdocs server for this certs dir, if there is one. */
export function runningServerPid(certsDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFilePath(certsDir), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // stale file from a crashed run
  }
}
