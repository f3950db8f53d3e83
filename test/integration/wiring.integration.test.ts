/**
 * The wiring test: composeServer builds the whole graph for each configuration a user can give
 * (plain HTTP, stdio, HTTPS with HTTP-01, TLS-ALPN-01 or both), the application starts on real
 * sockets on 127.0.0.1, answers, and stops with every port it opened closed again. A start that
 * fails halfway leaves nothing listening.
 *
 * The HTTPS configurations run in-process against Pebble. The only port replaced is ACME_CLIENT,
 * and by the same AcmeClientAdapter given an agent that trusts Pebble's listener CA (the process's
 * NODE_EXTRA_CA_CERTS is read at start-up, too late for a test to set). stdio runs the built CLI,
 * as an MCP host would: started in-process it would take over the test runner's stdin and stdout.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AcmeClientAdapter } from '../../src/adapters/acme-client/acme-client-adapter.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { type AppConfig, parseConfig } from '../../src/app/config.js';
import { composeServer } from '../../src/app/container.js';
import type { Application } from '../../src/app/lifecycle.js';
import { ListenError } from '../../src/app/startup-error.js';
import { ACME_CLIENT } from '../../src/ports/acme-client.js';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import {
  connectionRefused,
  DOMAIN,
  freePort,
  httpGet,
  httpsGet,
  LOOPBACK,
  MAIN,
  pebbleSkipReason,
  peerCertificate,
  pinnedFetch,
} from './https-helpers.js';

const PEBBLE_SKIP = pebbleSkipReason();
const CLI_SKIP = existsSync(MAIN) ? undefined : `${MAIN} is missing: run \`npm run build\``;
if (PEBBLE_SKIP) console.warn(`wiring test, HTTPS configurations skipped: ${PEBBLE_SKIP}`);

let docsDir: string;
beforeAll(async () => {
  docsDir = await mkdtemp(path.join(os.tmpdir(), 'certdocs-wiring-docs-'));
  await writeFile(
    path.join(docsDir, 'lighthouse.md'),
    '# Lighthouse\n\nThe lighthouse keeper trims the lamp.\n',
  );
  await writeFile(path.join(docsDir, 'harbour.md'), '# Harbour\n\nBoats moor in the harbour at night.\n');
});
afterAll(() => rm(docsDir, { recursive: true, force: true }));

/** Parses flags as the CLI does; the environment is left out so the runner's variables cannot leak in. */
function configFrom(argv: string[]): AppConfig {
  const parsed = parseConfig(['--docs', docsDir, '--log-level', 'error', ...argv], {});
  if (parsed.ok !== true) throw new Error(`config did not parse: ${JSON.stringify(parsed)}`);
  return parsed.config;
}

/** One MCP round trip: the tools are listed and `search` finds the lighthouse page. */
async function searchOverMcp(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['search', 'fetch']));
  const result = (await client.callTool({
    name: 'search',
    arguments: { query: 'lighthouse keeper' },
  })) as CallToolResult;
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  const { results } = result.structuredContent as { results: { id: string }[] };
  expect(results.map((r) => r.id).join(' ')).toContain('lighthouse');
}

async function searchOverHttp(url: URL, fetch?: FetchLike): Promise<void> {
  const client = new Client({ name: 'certdocs-wiring-test', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(url, { fetch }));
    await searchOverMcp(client);
  } finally {
    await client.close();
  }
}

const portOf = (url: string | undefined) => Number(new URL(url ?? 'missing:').port);

describe('wiring: plain HTTP', () => {
  it('starts on port 0, serves /healthz and MCP, and closes the port on stop', async () => {
    const app = composeServer(configFrom(['--port', '0', '--host', LOOPBACK]));
    const { url, acmeUrl } = await app.start();
    onTestFinished(() => app.stop());
    const port = portOf(url);
    expect(port).toBeGreaterThan(0);
    expect(acmeUrl).toBeUndefined();

    const health = await httpGet(port, '/healthz');
    expect(health.status).toBe(200);
    // No Origin (not a browser): no CORS headers, but a shared cache must still key on Origin.
    expect(health.headers.vary).toBe('Origin');
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
    await searchOverHttp(new URL(`http://${LOOPBACK}:${port}/mcp`));

    await app.stop();
    expect(await connectionRefused(port)).toBe(true);
  });
});

describe.skipIf(Boolean(CLI_SKIP))(`wiring: stdio${CLI_SKIP ? ` (skipped: ${CLI_SKIP})` : ''}`, () => {
  it('needs no port, serves MCP on stdin/stdout and exits 0 when stdin closes', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, '--transport', 'stdio', '--docs', docsDir, '--log-level', 'error'],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'certdocs-wiring-test', version: '1.0.0' });
    await client.connect(transport);
    // The SDK keeps the child private and reports no exit code; this test is about that code.
    const child = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    await searchOverMcp(client);
    await client.close();

    expect(await exited, stderr).toBe(0);
    // Closing stdin was enough: the SDK's SIGTERM fallback (2 s later) was not needed.
    expect(child.signalCode).toBeNull();
  });
});

// ---- HTTPS with a certificate from Pebble ----------------------------------------------------

interface HttpsCase {
  readonly name: string;
  readonly challenge: string;
  /** Pebble validates HTTP-01 on its httpPort and TLS-ALPN-01 on its tlsPort, both on 127.0.0.1. */
  readonly port: (p: PebbleHarness) => Promise<number> | number;
  readonly acmePort: (p: PebbleHarness) => Promise<number> | number;
  /** HTTP-01 needs a listener on the ACME port; TLS-ALPN-01 alone must leave it closed. */
  readonly acmeListener: boolean;
}

const HTTPS_CASES: HttpsCase[] = [
  // Port 0: the redirect on the ACME port must name the port the HTTPS server really bound.
  { name: 'HTTP-01', challenge: 'http-01', port: () => 0, acmePort: (p) => p.httpPort, acmeListener: true },
  {
    name: 'TLS-ALPN-01',
    challenge: 'tls-alpn-01',
    port: (p) => p.tlsPort,
    acmePort: () => freePort(),
    acmeListener: false,
  },
  {
    name: 'HTTP-01 and TLS-ALPN-01',
    challenge: 'http-01,tls-alpn-01',
    port: (p) => p.tlsPort,
    acmePort: (p) => p.httpPort,
    acmeListener: true,
  },
];

describe.skipIf(Boolean(PEBBLE_SKIP))(
  `wiring: HTTPS with Pebble${PEBBLE_SKIP ? ` (skipped: ${PEBBLE_SKIP})` : ''}`,
  () => {
    let pebble: PebbleHarness;
    let root: string;
    let tmp: string;
    let pebbleAgent: https.Agent;

    beforeAll(async () => {
      pebble = await startPebble();
      root = await pebble.rootPem();
      pebbleAgent = new https.Agent({ ca: pebble.caCertPem });
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-wiring-'));
    });

    afterAll(async () => {
      pebbleAgent?.destroy();
      await pebble?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    /** Composes as main does, with a certs dir of its own (nothing stored: every start orders). */
    async function composeHttps(challenge: string, port: number, acmePort: number): Promise<Application> {
      const config = configFrom([
        '--domain',
        DOMAIN,
        '--challenge',
        challenge,
        '--acme-directory',
        pebble.directoryUrl,
        '--accept-tos',
        '--port',
        String(port),
        '--acme-port',
        String(acmePort),
        '--host',
        LOOPBACK,
        '--certs-dir',
        await mkdtemp(path.join(tmp, 'certs-')),
      ]);
      return composeServer(config, {
        override: (c) =>
          c.register(ACME_CLIENT, {
            useValue: new AcmeClientAdapter(
              { directoryUrl: pebble.directoryUrl, httpsAgent: pebbleAgent },
              new SystemClock(),
            ),
          }),
      });
    }

    it.each(HTTPS_CASES)(
      '$name: obtains a certificate, serves HTTPS with it, and closes every port on stop',
      { timeout: 30_000 },
      async ({ challenge, port: portFor, acmePort: acmePortFor, acmeListener }) => {
        const acmePort = await acmePortFor(pebble);
        const app = await composeHttps(challenge, await portFor(pebble), acmePort);
        const { url, acmeUrl } = await app.start();
        onTestFinished(() => app.stop());
        const port = portOf(url);
        expect(port).toBeGreaterThan(0);

        const health = await httpsGet(port, '/healthz', root);
        expect(health.status, health.body).toBe(200);
        expect(JSON.parse(health.body).certificate).toMatchObject({ names: [DOMAIN] });
        const { authorized, chain } = await peerCertificate(port, root);
        expect(authorized).toBe(true);
        expect(chain[0]?.subjectaltname).toContain(`DNS:${DOMAIN}`);
        const fetch = pinnedFetch(root);
        onTestFinished(() => fetch.agent.destroy());
        await searchOverHttp(new URL(`https://${DOMAIN}:${port}/mcp`), fetch);

        if (acmeListener) {
          expect(portOf(acmeUrl)).toBe(acmePort);
          expect((await httpGet(acmePort, '/healthz')).status).toBe(200);
          const redirect = await httpGet(acmePort, '/docs?q=1', DOMAIN);
          expect(redirect.status).toBe(301);
          expect(redirect.headers.location).toBe(`https://${DOMAIN}:${port}/docs?q=1`);
        } else {
          expect(acmeUrl).toBeUndefined();
          expect(await connectionRefused(acmePort)).toBe(true);
        }

        fetch.agent.destroy();
        await app.stop();
        expect(await connectionRefused(port)).toBe(true);
        if (acmeListener) expect(await connectionRefused(acmePort)).toBe(true);
      },
    );

    /** Holds a port the way another program would. */
    async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
      const blocker = net.createServer((s) => s.destroy());
      await new Promise<void>((resolve, reject) => {
        blocker.once('error', reject);
        blocker.listen(0, LOOPBACK, resolve);
      });
      const port = (blocker.address() as net.AddressInfo).port;
      return { port, close: () => new Promise((resolve) => blocker.close(() => resolve())) };
    }

    // The HTTP-01 responder starts first; each case fails a later stage on the taken HTTPS port.
    it.each([
      // The front door is the next stage: it fails before anything is ordered.
      { name: 'HTTP-01 and TLS-ALPN-01, the front door', challenge: 'http-01,tls-alpn-01' },
      // The certificate is ordered and issued; the MCP transport then cannot listen.
      { name: 'HTTP-01, the HTTPS server after issuance', challenge: 'http-01' },
    ])(
      '$name on a taken port: start fails with ListenError and leaves nothing listening',
      { timeout: 30_000 },
      async ({ challenge }) => {
        const taken = await occupy();
        onTestFinished(taken.close);
        const app = await composeHttps(challenge, taken.port, pebble.httpPort);
        // Should this test fail, what leaked is closed here instead of failing the next test too.
        onTestFinished(() => app.stop());

        const failure = await app.start().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(failure).toBeInstanceOf(ListenError);
        expect(failure).toMatchObject({ setting: 'port', port: taken.port });
        expect(await connectionRefused(pebble.httpPort)).toBe(true);
      },
    );
  },
);
