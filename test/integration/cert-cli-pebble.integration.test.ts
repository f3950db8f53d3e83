import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCertdocs } from '../harness/certdocs.mjs';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  DOMAIN,
  freePort,
  httpGet,
  killAllClis,
  LOOPBACK,
  pebbleSkipReason,
  peerCertificate,
  startCli,
  stopCli,
  waitFor,
} from './https-helpers.js';

const skip = pebbleSkipReason();

/** The operator CLI, `certdocs cert status|renew`, against a real Pebble and a real certs dir. */
describe.skipIf(skip)(`certdocs cert status / renew${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pebble: PebbleHarness;
  let certsDir: string;
  let common: string[];
  const cert = (...args: string[]) =>
    runCertdocs(['cert', ...args, ...common], {
      env: { NODE_EXTRA_CA_CERTS: pebble.caCertPath },
      timeoutMs: 60_000,
    });
  const serialOf = (stdout: string) => /^serial\s+(\S+)/m.exec(stdout)?.[1];

  beforeAll(async () => {
    pebble = await startPebble();
    certsDir = await mkdtemp(join(tmpdir(), 'certdocs-cli-'));
    common = [
      '--domain',
      DOMAIN,
      '--certs-dir',
      certsDir,
      '--acme-directory',
      pebble.directoryUrl,
      '--acme-port',
      String(pebble.httpPort),
    ];
  });

  afterAll(async () => {
    await killAllClis();
    await pebble?.stop();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('status exits 1 while there is no certificate', async () => {
    const r = await cert('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/state\s+no certificate stored yet/);
  });

  it('renew --force issues one here when no server runs, and status then describes it', async () => {
    const renewed = await cert('renew', '--force', '--accept-tos');
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stdout).toMatch(/^renewed\s+yes/m);
    expect(existsSync(join(certsDir, `${DOMAIN}.cert.pem`))).toBe(true);

    const status = await cert('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`names\\s+${DOMAIN.replace(/\./g, '\\.')}`));
    expect(status.stdout).toMatch(/issuer\s+.*Pebble/);
    expect(status.stdout).toMatch(/state\s+valid/);
    expect(status.stdout).toMatch(/next renewal\s+\d{4}-/);
    expect(status.stdout).toMatch(/ARI window\s+the CA offers no ARI/); // Pebble 2.4 has none
    expect(serialOf(status.stdout)).toBe(serialOf(renewed.stdout));
  });

  it('renew without --force leaves a valid certificate alone', async () => {
    const r = await cert('renew');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^not due: renews at \d{4}-/);
  });

  it('renew --force asks a running server to renew, which swaps the certificate in without a restart', async () => {
    const port = await freePort();
    const server = startCli(
      [...common, '--port', String(port), '--host', LOOPBACK, '--log-level', 'info'],
      pebble.caCertPath,
    );
    const root = await pebble.rootPem();
    await waitFor('the ACME port to report HTTPS ready', 20_000, server, async () =>
      (await httpGet(pebble.httpPort, '/healthz').catch(() => undefined))?.status === 200 ? true : undefined,
    );
    const before = (await peerCertificate(port, root)).chain[0]?.serialNumber;

    const r = await cert('renew', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/asked the running server \(pid \d+\) to renew/);
    const after = (await peerCertificate(port, root)).chain[0]?.serialNumber;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(serialOf(r.stdout)?.toUpperCase().replace(/^0+/, '')).toBe(after?.replace(/^0+/, ''));
    expect(server.stderr()).toContain('renewed certificate installed');
    await stopCli(server);
    expect(existsSync(join(certsDir, 'certdocs.pid'))).toBe(false);
  });

  it('renew --force --challenge tls-alpn-01 without a server needs only the HTTPS port, not the ACME port', async () => {
    // The ACME port is held by someone else: had renew tried to bind it, it would fail.
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, LOOPBACK, () => r()));
    const address = squatter.address();
    const takenAcmePort = typeof address === 'object' && address ? address.port : 0;
    const before = serialOf((await cert('status')).stdout);
    try {
      const r = await runCertdocs(
        [
          'cert',
          'renew',
          '--force',
          '--domain',
          DOMAIN,
          '--certs-dir',
          certsDir,
          '--acme-directory',
          pebble.directoryUrl,
          '--challenge',
          'tls-alpn-01',
          '--acme-port',
          String(takenAcmePort),
          '--port',
          String(pebble.tlsPort),
          '--host',
          LOOPBACK,
        ],
        { env: { NODE_EXTRA_CA_CERTS: pebble.caCertPath }, timeoutMs: 60_000 },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^renewed\s+yes/m);
      expect(serialOf(r.stdout)).toBeDefined();
      expect(serialOf(r.stdout)).not.toBe(before);
    } finally {
      squatter.close();
    }
  });
});
