import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { connectMcp } from '../harness/mcp-client.mjs';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  acmeServeArgs,
  DOMAIN,
  freePort,
  killAllClis,
  pebbleSkipReason,
  pinnedFetch,
  startCli,
  stopCli,
  waitCertificateInService,
} from './https-helpers.js';

const SKIP_REASON = pebbleSkipReason();
const EAB_HMAC_KEY = 'c2VjcmV0LWhtYWMta2V5LWZvci10aGUtbG9nLXRlc3Q';

/** Every 24-character run of a PEM's base64 body: any one of them in a log line is a leak. */
function pemChunks(pem: string): string[] {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const chunks: string[] = [];
  for (let i = 0; i + 24 <= body.length; i += 12) chunks.push(body.slice(i, i + 24));
  return chunks;
}

/**
 * A full HTTPS run at debug level (account, order, HTTP-01 challenge, issuance, MCP requests), then
 * the log is searched for what must never be in it: the account key, the certificate key, the
 * EAB HMAC key and the challenge key authorizations (token "." account thumbprint).
 */
describe.skipIf(Boolean(SKIP_REASON))(
  `no secret in the log of a full HTTPS run${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let harness: PebbleHarness | undefined;
    let tmp = '';
    afterAll(async () => {
      await killAllClis();
      await harness?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('logs no key, no EAB HMAC key and no key authorization', { timeout: 60_000 }, async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-log-secrets-'));
      const certsDir = path.join(tmp, 'certs');
      harness = await startPebble({ eabRequired: true, eabKeys: { 'kid-for-the-log-test': EAB_HMAC_KEY } });
      const caPath = path.join(tmp, 'pebble-listener-ca.pem');
      await writeFile(caPath, harness.caCertPem);
      const port = await freePort();
      const args = [
        ...acmeServeArgs({ directoryUrl: harness.directoryUrl, acmePort: harness.httpPort, port, certsDir }),
        '--log-level',
        'debug',
        '--eab-kid',
        'kid-for-the-log-test',
        '--eab-hmac-key',
        EAB_HMAC_KEY,
      ];
      const cli = startCli(args, caPath);
      await waitCertificateInService(cli, harness.httpPort, 30_000);
      const client = await connectMcp(`https://${DOMAIN}:${port}/mcp`, {
        fetch: pinnedFetch(await harness.rootPem()),
      });
      await client.callTool({ name: 'search', arguments: { query: 'certificate' } });
      await client.close();
      expect(await stopCli(cli)).toEqual({ code: 0, signal: null });

      const log = cli.stderr();
      expect(log).toContain('"level":20'); // debug lines were written, so there was something to search
      const accountKey = await readFile(path.join(certsDir, 'account.key.pem'), 'utf8');
      const certKey = await readFile(path.join(certsDir, `${DOMAIN}.key.pem`), 'utf8');
      const thumbprint = await calculateJwkThumbprint(
        createPublicKey(accountKey).export({ format: 'jwk' }) as JWK,
      );

      expect(log).not.toMatch(/PRIVATE KEY/);
      for (const chunk of [...pemChunks(accountKey), ...pemChunks(certKey)]) expect(log).not.toContain(chunk);
      expect(log).not.toContain(EAB_HMAC_KEY);
      expect(log).not.toContain(thumbprint);
    });
  },
);
