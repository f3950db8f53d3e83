/**
 * What the integration tests that run the real CLI (`node dist/bin/certdocs.js`) against Pebble share:
 * the harness (test/harness) under the names these suites use, and a fetch for the MCP SDK that
 * trusts only Pebble's root and connects to 127.0.0.1 with SNI and Host set to the domain under test.
 */
import { existsSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Cli, ENTRY, ROOT, startCertdocs, stopCertdocs } from '../harness/certdocs.mjs';
import { httpGet } from '../harness/https.mjs';
import { pebbleAvailable } from '../harness/pebble.mjs';
import { killAll, LOOPBACK, waitFor } from '../harness/processes.mjs';

// The process side lives in the shared harness (test/harness); these suites use it under these names.
export { acmeServeArgs, type Cli, DOMAIN, ROOT } from '../harness/certdocs.mjs';
export { collect, connectionRefused, httpGet, httpsGet, peerCertificate } from '../harness/https.mjs';
export { freePort, LOOPBACK, running, sleep, waitFor } from '../harness/processes.mjs';
export const MAIN = ENTRY;

/** Why a Pebble + CLI suite cannot run here, or undefined when it can. */
export function pebbleSkipReason(): string | undefined {
  if (!pebbleAvailable()) return 'pebble / pebble-challtestsrv not on PATH: run scripts/install-test-deps.sh';
  if (!existsSync(MAIN)) return `${path.relative(ROOT, MAIN)} is missing: run \`npm run build\``;
  return undefined;
}

/** Starts the built CLI with `args`; `extraCaPath` (Pebble's listener CA) goes in NODE_EXTRA_CA_CERTS. */
export function startCli(args: string[], extraCaPath: string): Cli {
  return startCertdocs(args, { env: { NODE_EXTRA_CA_CERTS: extraCaPath } });
}

/** SIGTERM, then SIGKILL after graceMs; resolves with how it ended. */
export const stopCli = stopCertdocs;

/** SIGKILLs every CLI started by startCli that is still running (not Pebble), and waits for them to go. */
export const killAllClis = (): Promise<void> => killAll('certdocs');

/** Waits until the ACME port's /healthz answers 200: a certificate is in service. */
export function waitCertificateInService(cli: Cli, acmePort: number, timeoutMs: number): Promise<true> {
  return waitFor(`http://${LOOPBACK}:${acmePort}/healthz to answer 200`, timeoutMs, cli, async () =>
    (await httpGet(acmePort, '/healthz')).status === 200 ? true : undefined,
  );
}

// ---------------------------------------------------------------------------
// A fetch for the MCP SDK
// ---------------------------------------------------------------------------

export type PinnedFetch = FetchLike & { readonly agent: https.Agent };

/**
 * A fetch for the MCP SDK over node:https: trusts only `ca`, connects to 127.0.0.1 whatever the URL's
 * host (SNI and Host stay the URL's). Streams the body, so SSE responses work; honours the signal.
 * With keepAlive false every request makes a new connection and TLS handshake.
 */
export function pinnedFetch(ca: string, { keepAlive = true }: { keepAlive?: boolean } = {}): PinnedFetch {
  const agent = new https.Agent({ ca, keepAlive });
  const fetchLike: FetchLike = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      headers.host = url.host;
      const req = https.request({
        host: LOOPBACK,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        servername: url.hostname,
        headers,
        agent,
        signal: init.signal ?? undefined,
      });
      req.setTimeout(15_000, () => req.destroy(new Error(`${init.method ?? 'GET'} ${url} timed out`)));
      req.once('error', reject);
      req.once('response', (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
        }
        const status = res.statusCode ?? 0;
        const noBody = [101, 204, 205, 304].includes(status) || init.method === 'HEAD';
        if (noBody) res.resume();
        // Once the response has started, its idle time is the SSE stream's business, not ours.
        req.setTimeout(0);
        resolve(
          new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage,
            headers: h,
          }),
        );
      });
      if (init.body !== undefined && init.body !== null) req.write(init.body as string | Uint8Array);
      req.end();
    });
  return Object.assign(fetchLike, { agent });
}

// ---------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** The JSON (pino) lines of a CLI's output. */
export function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}
