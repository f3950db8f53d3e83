import type { HttpBindings } from '@hono/node-server';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocsHttpApp, type DocsHttpAppOptions } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const streamable = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
const sse = new LegacySseEndpoint(() => factory.create(), logger);
afterAll(async () => {
  await streamable.close();
  await sse.close();
});

function makeApp(rateLimit?: DocsHttpAppOptions['rateLimit']) {
  return createDocsHttpApp({
    guard: { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] },
    maxBodyBytes: 4096,
    docs,
    streamable,
    sse,
    logger,
    ...(rateLimit ? { rateLimit } : {}),
  });
}

/** What Node's server hands Hono: the client's address is on the socket. */
const from = (remoteAddress: string) =>
  ({ incoming: { socket: { remoteAddress } }, outgoing: {} }) as unknown as HttpBindings;

type App = ReturnType<typeof makeApp>;
const search = (app: App, address: string, headers: Record<string, string> = {}) =>
  app.request('/api/search?q=tls', { headers: { host: 'localhost', ...headers } }, from(address));
const mcpPost = (app: App, address: string) =>
  app.request(
    '/mcp',
    {
      method: 'POST',
      headers: {
        host: 'localhost',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    },
    from(address),
  );

async function statuses(n: number, send: () => Response | Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

describe('per-client rate limit', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('answers 429 with Retry-After after N requests in the window, as JSON on /api/search', async () => {
    const app = makeApp({ requests: 3, windowMs: 60_000 });
    expect(await statuses(3, () => search(app, '10.0.0.1'))).toEqual([200, 200, 200]);
    vi.setSystemTime(new Date('2026-01-01T00:00:20Z'));
    const res = await search(app, '10.0.0.1');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('40');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: 'rate_limited',
      message: 'Too many requests: at most 3 per 60 s from one address; retry after 40 s',
    });
  });

  it('answers the MCP routes with a JSON-RPC error body', async () => {
    const app = makeApp({ requests: 1, windowMs: 1000 });
    expect((await mcpPost(app, '10.0.0.1')).status).toBe(200);
    for (const send of [
      () => mcpPost(app, '10.0.0.1'),
      () => app.request('/sse', { headers: { host: 'localhost' } }, from('10.0.0.1')),
      () =>
        app.request(
          '/message?sessionId=x',
          { method: 'POST', headers: { host: 'localhost', 'content-type': 'application/json' }, body: '{}' },
          from('10.0.0.1'),
        ),
    ]) {
      const res = await send();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32000, message: expect.stringMatching(/^Too many requests: at most 1 per 1 s/) },
      });
    }
  });

  it('lets the client in again once the window has passed', async () => {
    const app = makeApp({ requests: 2, windowMs: 1000 });
    expect(await statuses(3, () => search(app, '10.0.0.1'))).toEqual([200, 200, 429]);
    vi.setSystemTime(new Date('2026-01-01T00:00:01.001Z'));
    expect(await statuses(3, () => search(app, '10.0.0.1'))).toEqual([200, 200, 429]);
  });

  it('counts each client address on its own, and ignores X-Forwarded-For', async () => {
    const app = makeApp({ requests: 2, windowMs: 1000 });
    expect(await statuses(3, () => search(app, '10.0.0.1'))).toEqual([200, 200, 429]);
    expect(await statuses(2, () => search(app, '10.0.0.2'))).toEqual([200, 200]);
    // A forged header does not buy a fresh budget.
    expect((await search(app, '10.0.0.1', { 'x-forwarded-for': '192.0.2.7' })).status).toBe(429);
  });

  it('never limits /healthz, and does not count CORS preflights', async () => {
    const app = makeApp({ requests: 1, windowMs: 1000 });
    const preflight = () =>
      app.request('/mcp', { method: 'OPTIONS', headers: { host: 'localhost' } }, from('10.0.0.1'));
    expect((await preflight()).status).not.toBe(429);
    expect((await preflight()).status).not.toBe(429);
    expect((await search(app, '10.0.0.1')).status).toBe(200);
    expect((await search(app, '10.0.0.1')).status).toBe(429);
    const health = await statuses(5, () =>
      app.request('/healthz', { headers: { host: 'localhost' } }, from('10.0.0.1')),
    );
    expect(health).toEqual([200, 200, 200, 200, 200]);
  });

  it('is off unless configured', async () => {
    const app = makeApp();
    const all = await statuses(50, () => search(app, '10.0.0.1'));
    expect(all.every((s) => s === 200)).toBe(true);
  });
});
