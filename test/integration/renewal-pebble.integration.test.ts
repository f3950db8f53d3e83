/**
 * In-process renewal under traffic, with the real CLI (`node dist/bin/certdocs.js`) and Pebble issuing
 * 20-second certificates, so certdocs renews every ~10 s (half the lifetime of a short certificate).
 *
 * While at least two renewals happen, this watches:
 * - a fresh TLS handshake every second, recording the served serial (a renewal = a new serial);
 * - ONE keep-alive HTTPS connection (https.Agent keepAlive, maxSockets 1) asking GET /healthz every
 *   200 ms: the same socket throughout, every request answered 200, and /healthz's
 *   certificate.notAfter moving forward;
 * - an MCP session (SDK Client over Streamable HTTP) opened before the first renewal, still usable
 *   after it: its fetch opens a new connection per request, so the later call goes over a handshake
 *   with the new certificate, under the old session id;
 * - the process: same pid, still running, 'MCP server listening' logged once, 'renewed certificate
 *   installed' logged at each renewal.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  acmeServeArgs,
  type Cli,
  DOMAIN,
  freePort,
  httpsGet,
  killAllClis,
  logLines,
  pebbleSkipReason,
  peerCertificate,
  pinnedFetch,
  running,
  sleep,
  startCli,
  waitCertificateInService,
  waitFor,
} from './https-helpers.js';

const SKIP_REASON = pebbleSkipReason();
if (SKIP_REASON) console.warn(`renewal-pebble integration skipped: ${SKIP_REASON}`);

const VALIDITY_S = 20;
/** Two renewals are due ~10 s and ~20 s after the first issuance; allow for a loaded machine. */
const TWO_RENEWALS_WITHIN_MS = 35_000;
const KEEPALIVE_EVERY_MS = 200;
const HANDSHAKE_EVERY_MS = 1000;
const RENEWED = 'renewed certificate installed';

/** Serial numbers as hex without colons or leading zeros, lower case (Node and the log differ). */
const normSerial = (s: string) => s.replace(/:/g, '').toLowerCase().replace(/^0+/, '');

describe.skipIf(Boolean(SKIP_REASON))(
  `certificate renewal under traffic, Pebble ${VALIDITY_S}-second certificates${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let harness: PebbleHarness | undefined;
    let tmp: string;
    let root: string;
    let port: number;
    let cli: Cli;

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-renewal-'));
      harness = await startPebble({ certificateValidityPeriod: VALIDITY_S });
      const pebbleCaPath = path.join(tmp, 'pebble-listener-ca.pem');
      await writeFile(pebbleCaPath, harness.caCertPem);
      root = await harness.rootPem();
      port = await freePort();
      const acmePort = harness.httpPort;
      cli = startCli(
        acmeServeArgs({
          directoryUrl: harness.directoryUrl,
          acmePort,
          port,
          certsDir: path.join(tmp, 'certs'),
        }),
        pebbleCaPath,
      );
      await waitCertificateInService(cli, acmePort, 15_000);
    });

    afterAll(async () => {
      await killAllClis();
      await harness?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('renews twice without a restart, a dropped connection or a failed request', {
      timeout: 45_000,
    }, async () => {
      const t0 = Date.now();
      const pid = cli.proc.pid;
      const logs = () => logLines(cli.stderr());
      const renewedLogs = () => logs().filter((l) => l.msg === RENEWED);

      // An MCP session before the first renewal. keepAlive false: every request is a new handshake.
      const mcpFetch = pinnedFetch(root, { keepAlive: false });
      const transport = new StreamableHTTPClientTransport(new URL(`https://${DOMAIN}:${port}/mcp`), {
        fetch: mcpFetch,
      });
      const client = new Client({ name: 'certdocs-renewal-it', version: '1.0.0' });
      const search = async () => {
        const r = (await client.callTool({
          name: 'search',
          arguments: { query: 'Hugo index' },
        })) as CallToolResult;
        expect(r.isError ?? false, JSON.stringify(r.content)).toBe(false);
        expect((r.structuredContent as { results: unknown[] }).results.length).toBeGreaterThan(0);
      };
      await client.connect(transport);
      const sessionId = transport.sessionId;
      expect(sessionId, 'the server gave the MCP session an id').toBeTruthy();
      await search();
      expect(renewedLogs(), 'the MCP session must open before the first renewal').toHaveLength(0);

      let stop = false;

      // Fresh handshakes: which certificate a new connection gets, once a second.
      const handshakes: { at: number; serial: string }[] = [];
      const handshakeFailures: string[] = [];
      const handshakeLoop = (async () => {
        while (!stop) {
          const started = Date.now();
          try {
            const { authorized, chain } = await peerCertificate(port, root);
            if (!authorized) handshakeFailures.push('handshake not authorized against the Pebble root');
            handshakes.push({ at: started - t0, serial: normSerial(chain[0]?.serialNumber ?? '') });
          } catch (e) {
            handshakeFailures.push((e as Error).message);
          }
          await sleep(Math.max(0, HANDSHAKE_EVERY_MS - (Date.now() - started)));
        }
      })();
      const distinctServed = () => [...new Set(handshakes.map((h) => h.serial))];

      // One keep-alive connection, GET /healthz every 200 ms.
      const agent = new https.Agent({ ca: root, keepAlive: true, maxSockets: 1 });
      const sockets = new Set<net.Socket>();
      const localPorts = new Set<number | undefined>();
      const keepAliveSerials = new Set<string>();
      const notAfters: string[] = [];
      const keepAliveFailures: string[] = [];
      let keepAliveOk = 0;
      const keepAliveLoop = (async () => {
        while (!stop) {
          const started = Date.now();
          try {
            const r = await httpsGet(port, '/healthz', root, agent);
            sockets.add(r.socket);
            localPorts.add(r.socket.localPort);
            keepAliveSerials.add(normSerial((r.socket as tls.TLSSocket).getPeerCertificate().serialNumber));
            if (r.status !== 200) {
              keepAliveFailures.push(`HTTP ${r.status}: ${r.body.slice(0, 200)}`);
            } else {
              keepAliveOk++;
              const notAfter = (JSON.parse(r.body) as { certificate?: { notAfter?: string } }).certificate
                ?.notAfter;
              if (notAfter && notAfters.at(-1) !== notAfter) notAfters.push(notAfter);
            }
          } catch (e) {
            keepAliveFailures.push((e as Error).message);
          }
          await sleep(Math.max(0, KEEPALIVE_EVERY_MS - (Date.now() - started)));
        }
      })();

      try {
        await waitFor(
          'two renewals seen by fresh handshakes and in the log',
          TWO_RENEWALS_WITHIN_MS,
          cli,
          async () => (distinctServed().length >= 3 && renewedLogs().length >= 2 ? true : undefined),
        );
        const twoRenewalsAfterMs = Date.now() - t0;
        // The session opened before the renewals, over new connections that get the new certificate.
        await search();
        await sleep(2 * KEEPALIVE_EVERY_MS); // a last request or two on the keep-alive socket
        console.log(
          `[renewal] 2 renewals after ${twoRenewalsAfterMs} ms; served serials ${distinctServed().length}, ` +
            `keep-alive requests ${keepAliveOk} on ${sockets.size} socket(s), handshakes ${handshakes.length}`,
        );
      } finally {
        stop = true;
        await Promise.all([handshakeLoop, keepAliveLoop]);
        agent.destroy();
        await client.close().catch(() => undefined);
        mcpFetch.agent.destroy();
      }

      // Zero failed requests, on the long-lived connection and on the fresh ones.
      expect(keepAliveFailures, 'keep-alive /healthz failures').toEqual([]);
      expect(handshakeFailures, 'fresh handshake failures').toEqual([]);
      expect(keepAliveOk).toBeGreaterThan(20);

      // One socket throughout, which keeps the certificate it was opened with.
      expect(sockets.size, 'keep-alive requests all went over one socket').toBe(1);
      expect(localPorts.size).toBe(1);
      expect([...keepAliveSerials]).toEqual([handshakes[0]?.serial]);

      // At least two renewals, each a new certificate on new handshakes, each logged as installed.
      const served = distinctServed();
      expect(served.length).toBeGreaterThanOrEqual(3);
      const installed = renewedLogs().map((l) => normSerial(String(l.serial)));
      expect(installed.length).toBeGreaterThanOrEqual(2);
      for (const s of served.slice(1))
        expect(installed, `served serial ${s} was logged as installed`).toContain(s);

      // /healthz's notAfter moves forward with each renewal.
      expect(notAfters.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < notAfters.length; i++) {
        expect(Date.parse(notAfters[i] as string)).toBeGreaterThan(Date.parse(notAfters[i - 1] as string));
      }

      // No restart: same pid, still running, started listening once, no error logged.
      expect(cli.proc.pid).toBe(pid);
      expect(running(cli.proc), cli.stderr()).toBe(true);
      expect(logs().filter((l) => l.msg === 'MCP server listening')).toHaveLength(1);
      expect(
        logs().filter((l) => l.level >= 50),
        'error-level log lines',
      ).toEqual([]);
      expect(transport.sessionId).toBe(sessionId);
    });
  },
);
