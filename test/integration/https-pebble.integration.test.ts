/**
 * The real CLI (`node dist/bin/certdocs.js`, as a user runs it) against Pebble: first start obtains a
 * certificate over HTTP-01 and serves MCP over HTTPS; port 80's redirect; a restart reuses the stored
 * certificate with the CA gone; a CA that is down at first start; a missing --accept-tos.
 *
 * The MCP client trusts Pebble's root through a small fetch over node:https (undici is not
 * importable here, and NODE_EXTRA_CA_CERTS is read only at process start): it connects to 127.0.0.1
 * with SNI and Host docs.example.test, so the URL, the certificate check and the Host guard all see
 * the real domain.
 */
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { connectMcp } from '../harness/mcp-client.mjs';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  acmeServeArgs,
  type Cli,
  collect,
  connectionRefused,
  DOMAIN,
  freePort,
  httpGet,
  httpsGet,
  killAllClis,
  LOOPBACK,
  logLines,
  pebbleSkipReason,
  peerCertificate,
  pinnedFetch,
  running,
  sleep,
  startCli,
  stopCli,
  waitCertificateInService,
  waitFor,
} from './https-helpers.js';

const SKIP_REASON = pebbleSkipReason();
if (SKIP_REASON) console.warn(`https-pebble integration skipped: ${SKIP_REASON}`);

const countCerts = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
const mode = (file: string) => statSync(file).mode & 0o777;

// ---------------------------------------------------------------------------

describe.skipIf(Boolean(SKIP_REASON))(
  `certdocs CLI over HTTPS with a Pebble certificate${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let harness: PebbleHarness | undefined;
    let tmp: string;
    let certsDir: string;
    let pebbleCaPath: string; // our copy: the harness deletes its own on stop()
    let root: string;
    let directoryUrl: string;
    let acmePort: number;
    let port: number;
    let server: Cli | undefined;
    let firstServedSerial: string;

    const serverArgs = () => acmeServeArgs({ directoryUrl, acmePort, port, certsDir });
    const waitHttpsReady = (cli: Cli, timeoutMs = 20_000) =>
      waitCertificateInService(cli, acmePort, timeoutMs);

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-https-'));
      certsDir = path.join(tmp, 'certs');
      harness = await startPebble();
      pebbleCaPath = path.join(tmp, 'pebble-listener-ca.pem');
      await writeFile(pebbleCaPath, harness.caCertPem);
      root = await harness.rootPem();
      directoryUrl = harness.directoryUrl;
      acmePort = harness.httpPort;
      port = await freePort();

      server = startCli(serverArgs(), pebbleCaPath);
      await waitHttpsReady(server);
      console.log(`[timing] first start -> HTTPS ready: ${Date.now() - server.startedAt} ms`);
    });

    afterAll(async () => {
      await killAllClis();
      await harness?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('serves /healthz over HTTPS with a chain that verifies against Pebble’s root', async () => {
      const res = await httpsGet(port, '/healthz', root);
      expect(res.status, res.body).toBe(200);

      const { authorized, chain } = await peerCertificate(port, root);
      expect(authorized).toBe(true);
      expect(chain[0]?.subjectaltname).toContain(`DNS:${DOMAIN}`);
      expect(chain.length, 'leaf + intermediate + root').toBeGreaterThanOrEqual(3);
      firstServedSerial = chain[0]?.serialNumber ?? '';
      expect(firstServedSerial).not.toBe('');
    });

    it('stores the full chain, the key (0600), the account key (0600) and account.json', async () => {
      const certFile = path.join(certsDir, `${DOMAIN}.cert.pem`);
      const keyFile = path.join(certsDir, `${DOMAIN}.key.pem`);
      const accountKey = path.join(certsDir, 'account.key.pem');
      const accountJson = path.join(certsDir, 'account.json');
      expect(countCerts(await readFile(certFile, 'utf8'))).toBeGreaterThanOrEqual(2);
      expect(mode(keyFile).toString(8)).toBe('600');
      expect(mode(accountKey).toString(8)).toBe('600');
      const accounts = JSON.parse(await readFile(accountJson, 'utf8')) as {
        accounts: Record<string, string>;
      };
      expect(accounts.accounts[directoryUrl]).toMatch(/^https:\/\//);
    });

    it('answers listTools, search and fetch over https://docs.example.test:<port>/mcp', async () => {
      const client = await connectMcp(`https://${DOMAIN}:${port}/mcp`, {
        name: 'certdocs-https-it',
        fetch: pinnedFetch(root),
      });
      onTestFinished(() => client.close());
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['search', 'fetch']));

      const search = (await client.callTool({
        name: 'search',
        arguments: { query: 'Hugo index' },
      })) as CallToolResult;
      expect(search.isError ?? false, JSON.stringify(search.content)).toBe(false);
      const results = (search.structuredContent as { results: { id: string }[] }).results;
      expect(results.length).toBeGreaterThan(0);

      const id = results[0]?.id as string;
      const page = (await client.callTool({ name: 'fetch', arguments: { id } })) as CallToolResult;
      expect(page.isError ?? false, JSON.stringify(page.content)).toBe(false);
      const structured = page.structuredContent as { id: string; text: string };
      expect(structured.id).toBe(id);
      expect(structured.text.length).toBeGreaterThan(0);
    });

    it('redirects plain HTTP on the ACME port to HTTPS with a 301', async () => {
      const res = await httpGet(acmePort, '/anything', DOMAIN);
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe(`https://${DOMAIN}:${port}/anything`);
    });

    it('exits non-zero at once without --accept-tos, naming the flag and the terms URL', async () => {
      const dir = await fetchDirectory();
      const tos = dir.meta?.termsOfService;
      expect(tos, 'Pebble publishes a termsOfService').toBeTruthy();
      const args = [
        '--domain',
        DOMAIN,
        '--acme-directory',
        directoryUrl,
        '--acme-port',
        String(await freePort()),
        '--port',
        String(await freePort()),
        '--host',
        LOOPBACK,
        '--certs-dir',
        await mkdtemp(path.join(tmp, 'no-tos-')),
      ];
      const cli = startCli(args, pebbleCaPath);
      onTestFinished(() => void stopCli(cli, 1000));
      const ended = await Promise.race([cli.exited, sleep(10_000).then(() => undefined)]);
      expect(ended, `still running after 10 s:\n${cli.stderr()}`).toBeDefined();
      expect(ended?.code, cli.stderr()).not.toBe(0);
      const line = cli
        .stderr()
        .split('\n')
        .find((l) => l.includes('--accept-tos'));
      expect(line, cli.stderr()).toBeDefined();
      expect(line).toContain(tos);
      console.log(`[timing] missing --accept-tos -> exit ${ended?.code}: ${Date.now() - cli.startedAt} ms`);
    });

    it('reuses the stored certificate on restart with the CA down', { timeout: 60_000 }, async () => {
      if (!server) throw new Error('first start did not complete');
      const first = await stopCli(server);
      expect(first, server.stderr()).toEqual({ code: 0, signal: null });
      await harness?.stop();
      harness = undefined;

      server = startCli(serverArgs(), pebbleCaPath);
      await waitHttpsReady(server);
      console.log(
        `[timing] restart (stored cert, CA down) -> HTTPS ready: ${Date.now() - server.startedAt} ms`,
      );

      const { authorized, chain } = await peerCertificate(port, root);
      expect(authorized).toBe(true);
      expect(chain[0]?.serialNumber).toBe(firstServedSerial);
      const logs = logLines(server.stderr());
      expect(logs.map((l) => l.msg)).toContain('using stored certificate');
      expect(logs.map((l) => l.msg)).not.toContain('obtaining a certificate');
      expect((await httpsGet(port, '/healthz', root)).status).toBe(200);
      await stopCli(server);
    });

    it('keeps running with HTTPS closed while the CA is unreachable at first start', async () => {
      const deadPort = await freePort();
      const acme = await freePort();
      const mcp = await freePort();
      const args = [
        '--domain',
        DOMAIN,
        '--acme-directory',
        `https://${LOOPBACK}:${deadPort}/dir`,
        '--acme-port',
        String(acme),
        '--port',
        String(mcp),
        '--host',
        LOOPBACK,
        '--accept-tos',
        '--certs-dir',
        await mkdtemp(path.join(tmp, 'ca-down-')),
      ];
      const cli = startCli(args, pebbleCaPath);
      onTestFinished(() => void stopCli(cli, 1000));

      const warning = await waitFor('a warning with code acme.unreachable', 10_000, cli, async () =>
        logLines(cli.stderr()).find((l) => l.level === 40 && l.code === 'acme.unreachable'),
      );
      expect(Date.parse(String(warning.nextTryAt))).toBeGreaterThan(Date.now());

      const until = Date.now() + 2000;
      do {
        expect((await httpGet(acme, '/healthz')).status).toBe(503);
        expect(await connectionRefused(mcp)).toBe(true);
        await sleep(250);
      } while (Date.now() < until);
      expect(running(cli.proc), cli.stderr()).toBe(true);
      await stopCli(cli, 2000);
    });

    async function fetchDirectory(): Promise<{ meta?: { termsOfService?: string } }> {
      if (!harness) throw new Error('Pebble is not running');
      const url = new URL(harness.directoryUrl);
      const res = await collect(
        https.request({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          ca: harness.caCertPem,
          agent: false,
        }),
      );
      return JSON.parse(res.body);
    }
  },
);
