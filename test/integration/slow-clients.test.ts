import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { afterEach, describe, expect, it } from 'vitest';
import { HonoChallengeResponder } from '../../src/adapters/hono/hono-challenge-responder.js';
import { type ConnectionLimits, type RunningServer, serveNode } from '../../src/adapters/hono/node-server.js';
import { TlsAlpnFrontDoor } from '../../src/adapters/node-tls/tls-alpn-front-door.js';
import { parseConfig } from '../../src/app/config.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { startServer } from '../support/start-server.js';

/**
 * Slow-loris and idle connections, on real sockets: every listener closes a client that sends its
 * request too slowly or sits idle, keeps answering others meanwhile, and refuses connections beyond
 * its cap. The timeouts are small here (injected), the production defaults are in node-server.ts.
 */

const HOST = '127.0.0.1';
const SMALL: ConnectionLimits = {
  headersTimeoutMs: 600,
  requestTimeoutMs: 900,
  keepAliveTimeoutMs: 400,
  handshakeTimeoutMs: 600,
  maxConnections: 50,
};

/** A test app: a quick route, a body-reading route and a long-lived stream (like GET /mcp or /sse). */
function app(): Hono {
  const a = new Hono();
  a.get('/ok', (c) => c.text('ok'));
  a.post('/echo', async (c) => c.text(await c.req.text()));
  a.get('/stream', (c) =>
    stream(c, async (s) => {
      for (let i = 0; i < 20 && !s.aborted; i++) {
        await s.write(`tick ${i}\n`);
        await s.sleep(100);
      }
    }),
  );
  return a;
}

interface Watched {
  readonly socket: Socket;
  /** Resolves with the milliseconds from connect to close, and what the server sent. */
  readonly closed: Promise<{ afterMs: number; received: string }>;
}

function open(port: number, firstBytes?: string): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    const started = Date.now();
    let received = '';
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    const closed = new Promise<{ afterMs: number; received: string }>((done) =>
      socket.once('close', () => done({ afterMs: Date.now() - started, received })),
    );
    socket.once('connect', () => {
      if (firstBytes) socket.write(firstBytes);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** One request on a fresh connection; resolves with the status line and body (or throws). */
async function get(port: number, path = '/ok'): Promise<string> {
  const res = await fetch(`http://${HOST}:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  return `${res.status} ${await res.text()}`;
}

const within = (ms: number, limit: number) => expect(ms).toBeLessThan(limit);

let running: RunningServer[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  await Promise.all(stops.splice(0).map((s) => s()));
  running = [];
});

async function serve(limits: Partial<ConnectionLimits> = {}): Promise<RunningServer> {
  const r = await serveNode(app(), { host: HOST, port: 0, limits: { ...SMALL, ...limits } });
  running.push(r);
  return r;
}

describe('slow and idle clients (HTTP listener)', () => {
  it('closes half-sent headers, a body that never completes and an idle keep-alive within the timeouts, and answers others meanwhile', async () => {
    const { port } = await serve();
    const halfHeaders = await open(port, `GET /ok HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: `);
    const silent = await open(port);
    const halfBody = await open(
      port,
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\npartial`,
    );
    const keepAlive = await open(port, `GET /ok HTTP/1.1\r\nHost: ${HOST}\r\nConnection: keep-alive\r\n\r\n`);

    // Others are served while those four hang on.
    expect(await get(port)).toBe('200 ok');

    const h = await halfHeaders.closed;
    const s = await silent.closed;
    const b = await halfBody.closed;
    const k = await keepAlive.closed;
    // Node checks header and request deadlines on an interval; allow for it and a slow machine.
    within(h.afterMs, SMALL.headersTimeoutMs + 1500);
    within(s.afterMs, SMALL.headersTimeoutMs + 1500);
    within(b.afterMs, SMALL.requestTimeoutMs + 1500);
    expect(k.received).toMatch(/^HTTP\/1\.1 200/);
    within(k.afterMs, SMALL.keepAliveTimeoutMs + 1500);
    expect(await get(port)).toBe('200 ok');
  });

  it('does not cut a long-lived response stream (SSE) after the request timeout', async () => {
    const { port } = await serve();
    const started = Date.now();
    const res = await fetch(`http://${HOST}:${port}/stream`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    expect(Date.now() - started).toBeGreaterThan(SMALL.requestTimeoutMs + SMALL.keepAliveTimeoutMs);
    expect(text.trim().split('\n')).toHaveLength(20);
  });

  it('refuses connections beyond the cap while the open ones are still served', async () => {
    const { port } = await serve({ maxConnections: 3, headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
    const held = await Promise.all([1, 2, 3].map(() => open(port)));
    // Let the server register them before knocking again.
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(port);
    const refused = await Promise.race([
      extra.closed.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(refused).toBe(true);
    // The three admitted connections still get answers.
    for (const w of held) w.socket.write(`GET /ok HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
    const answers = await Promise.all(held.map((w) => w.closed));
    for (const a of answers) expect(a.received).toMatch(/^HTTP\/1\.1 200[\s\S]*ok$/);
    // Once they are gone, there is room again.
    expect(await get(port)).toBe('200 ok');
  });
});

describe('slow and idle clients (HTTPS listener)', () => {
  it('closes a connection that never completes the TLS handshake', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { loadAcmeCrypto } = await import('../../src/adapters/acme-client/load-acme-lib.js');
    const acmeCrypto = await loadAcmeCrypto();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const [keyPem, certPem] = await acmeCrypto.createAlpnCertificate(
      { identifier: { type: 'dns', value: 'docs.example.com' } } as never,
      'unused',
      key,
    );
    const r = await serveNode(app(), {
      host: HOST,
      port: 0,
      tls: { keyPem: keyPem.toString(), certPem: certPem.toString() },
      limits: SMALL,
    });
    running.push(r);
    const silent = await open(r.port);
    // A real TLS client still gets through meanwhile.
    const hello = await new Promise<boolean>((resolve) => {
      const t = tlsConnect({ host: HOST, port: r.port, rejectUnauthorized: false }, () => {
        t.destroy();
        resolve(true);
      });
      t.on('error', () => resolve(false));
    });
    expect(hello).toBe(true);
    within((await silent.closed).afterMs, SMALL.handshakeTimeoutMs + 1500);
  });
});

describe('slow and idle clients (HTTP-01 responder and TLS-ALPN-01 front door)', () => {
  it('the HTTP-01 port closes half-sent headers and caps connections', async () => {
    const responder = new HonoChallengeResponder({
      host: HOST,
      port: 0,
      domains: ['docs.example.com'],
      httpsPort: 443,
      limits: { ...SMALL, maxConnections: 2 },
    });
    const { port } = await responder.start();
    stops.push(() => responder.stop());
    const half = await open(port, `GET /.well-known/acme-challenge/x HTTP/1.1\r\nHost: `);
    const second = await open(port);
    await new Promise((r) => setTimeout(r, 100));
    const third = await open(port);
    const refused = await Promise.race([
      third.closed.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(refused).toBe(true);
    within((await half.closed).afterMs, SMALL.headersTimeoutMs + 1500);
    second.socket.destroy();
  });

  it('the front door closes a connection that never finishes its ClientHello and caps connections', async () => {
    const door = new TlsAlpnFrontDoor(
      { host: HOST, port: 0, limits: { ...SMALL, maxConnections: 2 } },
      new MemoryLogger(),
    );
    const { port } = await door.start();
    stops.push(() => door.stop());
    // The first bytes of a TLS record header, then nothing.
    const slow = await open(port, '\x16\x03\x01');
    const second = await open(port);
    await new Promise((r) => setTimeout(r, 100));
    const third = await open(port);
    const refused = await Promise.race([
      third.closed.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(refused).toBe(true);
    within((await slow.closed).afterMs, SMALL.handshakeTimeoutMs + 1500);
    second.socket.destroy();
  });
});

describe('--max-connections', () => {
  it('reaches the MCP listener through the composition root', async () => {
    const parsed = parseConfig(
      ['--host', HOST, '--port', '0', '--max-connections', '2', '--log-level', 'silent'],
      {},
    );
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    const app = await startServer(parsed.config);
    stops.push(() => app.stop());
    const port = Number(new URL(app.url ?? '').port);
    const held = await Promise.all([open(port), open(port)]);
    await new Promise((r) => setTimeout(r, 100));
    const third = await open(port);
    const refused = await Promise.race([
      third.closed.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(refused).toBe(true);
    for (const w of held) w.socket.destroy();
  });
});
