/**
 * The real CLI (`node dist/app/main.js`, as a user runs it) against Pebble: first start obtains a
 * certificate over HTTP-01 and serves MCP over HTTPS; port 80's redirect; a restart reuses the stored
 * certificate with the CA gone; a CA that is down at first start; a missing --accept-tos.
 *
 * The MCP client trusts Pebble's root through a small fetch over node:https (undici is not
 * importable here, and NODE_EXTRA_CA_CERTS is read only at process start): it connects to 127.0.0.1
 * with SNI and Host docs.example.test, so the URL, the certificate check and the Host guard all see
 * the real domain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type PebbleHarness, pebbleAvailable, startPebble } from './pebble-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = path.join(ROOT, 'dist', 'app', 'main.js');
const DOMAIN = 'docs.example.test';
const LOOPBACK = '127.0.0.1';

const SKIP_REASON = !pebbleAvailable()
  ? 'pebble / pebble-challtestsrv not on PATH: run scripts/install-test-deps.sh'
  : !existsSync(MAIN)
    ? `${path.relative(ROOT, MAIN)} is missing: run \`npm run build\``
    : undefined;
if (SKIP_REASON) console.warn(`https-pebble integration skipped: ${SKIP_REASON}`);

// ---------------------------------------------------------------------------
// Child processes: every one is tracked and killed in afterAll, or on worker exit.
// ---------------------------------------------------------------------------

interface Cli {
  readonly proc: ChildProcess;
  readonly startedAt: number;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

function startCli(args: string[], extraCaPath: string): Cli {
  const proc = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: extraCaPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  proc.stdout?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, startedAt: Date.now(), stderr: () => err, exited };
}

function running(p: ChildProcess): boolean {
  return p.exitCode === null && p.signalCode === null;
}

/** SIGTERM, then SIGKILL after graceMs; resolves with how it ended. */
async function stopCli(cli: Cli, graceMs = 5000) {
  if (running(cli.proc)) cli.proc.kill('SIGTERM');
  const timer = setTimeout(() => running(cli.proc) && cli.proc.kill('SIGKILL'), graceMs);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  cli: Cli | undefined,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (cli && !running(cli.proc)) {
      throw new Error(
        `certdocs exited (${cli.proc.exitCode ?? cli.proc.signalCode}) while waiting for ${what}:\n${cli.stderr()}`,
      );
    }
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${last})` : ''}\n${cli?.stderr() ?? ''}`,
      );
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------
// Network helpers (all bounded by a timeout)
// ---------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, resolve);
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function collect(req: http.ClientRequest, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.end();
  });
}

function httpGet(port: number, urlPath: string, host?: string): Promise<Reply> {
  return collect(
    http.request({ host: LOOPBACK, port, path: urlPath, agent: false, headers: host ? { host } : {} }),
  );
}

/** GET over HTTPS to 127.0.0.1:port as https://docs.example.test:port, trusting only `ca`. */
function httpsGet(port: number, urlPath: string, ca: string): Promise<Reply> {
  const agent = new https.Agent({ ca, keepAlive: false });
  return collect(
    https.request({
      host: LOOPBACK,
      port,
      path: urlPath,
      servername: DOMAIN,
      headers: { host: `${DOMAIN}:${port}` },
      agent,
    }),
  ).finally(() => agent.destroy());
}

/** TLS handshake with SNI docs.example.test, verified against `ca` only. */
function peerCertificate(
  port: number,
  ca: string,
): Promise<{ authorized: boolean; chain: tls.PeerCertificate[] }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: LOOPBACK, port, servername: DOMAIN, ca, rejectUnauthorized: true });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const chain: tls.PeerCertificate[] = [];
      let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (c && Object.keys(c).length && !chain.includes(c)) {
        chain.push(c);
        c = c.issuerCertificate === c ? undefined : c.issuerCertificate;
      }
      resolve({ authorized: socket.authorized, chain });
      socket.end();
    });
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port });
    s.setTimeout(3000, () => s.destroy(new Error('connect timed out')));
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? resolve(true) : reject(e)));
  });
}

/**
 * A fetch for the MCP SDK over node:https: trusts only `ca`, connects to 127.0.0.1 whatever the URL's
 * host (SNI and Host stay the URL's). Streams the body, so SSE responses work; honours the signal.
 */
function pinnedFetch(ca: string): FetchLike {
  const agent = new https.Agent({ ca, keepAlive: true });
  return (input, init = {}) =>
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
}

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}
function logLines(text: string): LogLine[] {
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

    const serverArgs = () => [
      '--domain',
      DOMAIN,
      '--acme-directory',
      directoryUrl,
      '--acme-port',
      String(acmePort),
      '--port',
      String(port),
      '--host',
      LOOPBACK,
      '--accept-tos',
      '--certs-dir',
      certsDir,
      '--log-level',
      'info',
    ];

    const waitHttpsReady = (cli: Cli, timeoutMs = 20_000) =>
      waitFor(`http://${LOOPBACK}:${acmePort}/healthz to answer 200`, timeoutMs, cli, async () =>
        (await httpGet(acmePort, '/healthz')).status === 200 ? true : undefined,
      );

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
      await Promise.all(
        [...children].map(async (p) => {
          p.kill('SIGKILL');
          await new Promise((r) => (running(p) ? p.once('exit', r) : r(undefined)));
        }),
      );
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
      const client = new Client({ name: 'certdocs-https-it', version: '1.0.0' });
      onTestFinished(() => client.close());
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`https://${DOMAIN}:${port}/mcp`), {
          fetch: pinnedFetch(root),
        }),
      );
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
