/**
 * What the integration tests that run the real CLI (`node dist/bin/certdocs.js`) against Pebble share:
 * the harness (test/harness) under the names these suites use, and a fetch for the MCP SDK that
 * trusts only Pebble's root and connects to 127.0.0.1 with SNI and Host set to the domain under test.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type Cli, ENTRY, ROOT, startCertdocs, stopCertdocs } from '../harness/certdocs.mjs';
import { httpGet } from '../harness/https.mjs';
import { pebbleAvailable } from '../harness/pebble.mjs';
import { killAll, LOOPBACK, waitFor } from '../harness/processes.mjs';

// The process side lives in the shared harness (test/harness); these suites use it under these names.
export { acmeServeArgs, type Cli, DOMAIN, ROOT } from '../harness/certdocs.mjs';
export {
  collect,
  connectionRefused,
  httpGet,
  httpsGet,
  type PinnedFetch,
  peerCertificate,
  pinnedFetch,
} from '../harness/https.mjs';
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
