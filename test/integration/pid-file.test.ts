import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Kill,
  pidFilePath,
  runningServerPid,
  signalServer,
  writePidFile,
} from '../../src/app/pid-file.js';

const failing =
  (code: string): Kill =>
  () => {
    throw Object.assign(new Error(code), { code });
  };

describe('pid file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'certdocs-pid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writePid = (pid: number | string) => writeFileSync(pidFilePath(dir), `${pid}\n`);

  it('finds no server without a pid file, or with one naming this process or garbage', () => {
    const kill: Kill = () => true;
    expect(runningServerPid(dir, kill)).toBeUndefined();
    writePid(process.pid);
    expect(runningServerPid(dir, kill)).toBeUndefined();
    writePid('not a pid');
    expect(runningServerPid(dir, kill)).toBeUndefined();
  });

  it('treats a process it may not signal (EPERM) as alive, and a vanished one (ESRCH) as dead', () => {
    writePid(424242);
    expect(runningServerPid(dir, () => true)).toBe(424242);
    expect(runningServerPid(dir, failing('EPERM'))).toBe(424242);
    expect(runningServerPid(dir, failing('ESRCH'))).toBeUndefined();
  });

  it('reports a SIGHUP that cannot be delivered instead of throwing', () => {
    const sent: [number, NodeJS.Signals | 0][] = [];
    expect(signalServer(7, 'SIGHUP', (pid, signal) => sent.push([pid, signal]))).toBe('sent');
    expect(sent).toEqual([[7, 'SIGHUP']]);
    expect(signalServer(7, 'SIGHUP', failing('ESRCH'))).toBe('gone');
    expect(signalServer(7, 'SIGHUP', failing('EPERM'))).toBe('forbidden');
    expect(() => signalServer(7, 'SIGHUP', failing('EINVAL'))).toThrow('EINVAL');
  });

  it('the real process.kill: a pid that does not exist is gone', () => {
    // 2^22 + 1 is above Linux's pid_max limit, so no process has it.
    expect(signalServer(4_194_305, 0)).toBe('gone');
  });

  it('removes only its own pid file', () => {
    const remove = writePidFile(dir);
    expect(runningServerPid(dir)).toBeUndefined(); // our own pid
    remove();
    expect(existsSync(pidFilePath(dir))).toBe(false);
    const removeAgain = writePidFile(dir);
    writePid(424242); // another server took over the file
    removeAgain();
    expect(existsSync(pidFilePath(dir))).toBe(true);
  });
});
