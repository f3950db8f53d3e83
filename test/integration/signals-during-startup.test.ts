import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acmeServeArgs, startCertdocs, stopCertdocs } from '../harness/certdocs.mjs';
import { freePorts, running, sleep, waitFor } from '../harness/processes.mjs';

/**
 * A certdocs still waiting for its first certificate (here: a CA that refuses connections, so the
 * order is retried) must survive SIGHUP, which `certdocs cert renew` sends, and stop cleanly on
 * SIGTERM (a container's `stop`).
 */
describe('signals while the first certificate is being obtained', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('ignores SIGHUP and exits 0 on SIGTERM', async () => {
    const certsDir = await mkdtemp(join(tmpdir(), 'certdocs-signals-'));
    dirs.push(certsDir);
    const [caPort, acmePort, port] = (await freePorts(3)) as [number, number, number];
    const cli = startCertdocs(
      acmeServeArgs({ directoryUrl: `http://127.0.0.1:${caPort}/dir`, acmePort, port, certsDir }),
    );
    try {
      await waitFor('a failed order that will be retried', 15_000, cli, async () =>
        cli.stderr().includes('certificate order failed; will retry') ? true : undefined,
      );
      cli.proc.kill('SIGHUP');
      await sleep(300);
      expect(running(cli.proc), cli.stderr()).toBe(true);
    } finally {
      const ended = await stopCertdocs(cli);
      expect(ended, cli.stderr()).toEqual({ code: 0, signal: null });
    }
  });
});
