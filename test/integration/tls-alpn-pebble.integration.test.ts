import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  connectionRefused,
  freePort,
  killAllClis,
  LOOPBACK,
  pebbleSkipReason,
  peerCertificate,
  startCli,
  stopCli,
  waitFor,
} from './https-helpers.js';

const skip = pebbleSkipReason();

/**
 * TLS-ALPN-01 only: certdocs exposes nothing but its HTTPS port (no port 80), which Pebble
 * validates on its tlsPort. The same port then serves MCP with the issued certificate.
 */
describe.skipIf(skip)(`TLS-ALPN-01 against Pebble${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pebble: PebbleHarness;
  let certsDir: string;

  beforeAll(async () => {
    pebble = await startPebble();
    certsDir = await mkdtemp(join(tmpdir(), 'certdocs-alpn-'));
  });

  afterAll(async () => {
    await killAllClis();
    await pebble?.stop();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('obtains a certificate on the HTTPS port alone and serves HTTPS with it there', async () => {
    const unusedAcmePort = await freePort();
    const cli = startCli(
      [
        '--domain',
        'docs.example.test',
        '--acme-directory',
        pebble.directoryUrl,
        '--challenge',
        'tls-alpn-01',
        '--acme-port',
        String(unusedAcmePort),
        '--port',
        String(pebble.tlsPort),
        '--host',
        LOOPBACK,
        '--accept-tos',
        '--certs-dir',
        certsDir,
      ],
      pebble.caCertPath,
    );
    const root = await pebble.rootPem();
    const served = await waitFor('an HTTPS handshake with a Pebble certificate', 20_000, cli, async () => {
      const peer = await peerCertificate(pebble.tlsPort, root).catch(() => undefined);
      return peer?.authorized ? peer : undefined;
    });
    expect(served.chain[0]?.subjectaltname).toContain('DNS:docs.example.test');
    expect(cli.stderr()).toContain('TLS-ALPN-01 responder listening');
    // No HTTP-01 responder was started: the ACME port stays closed.
    expect(await connectionRefused(unusedAcmePort)).toBe(true);
    await stopCli(cli);
  });
});
