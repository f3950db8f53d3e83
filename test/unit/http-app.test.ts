import type { HttpBindings } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocsHttpApp } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const MAX_BODY = 4096;
const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const create = () => factory.create();
const streamable = new StreamableHttpEndpoint({ createServer: create, logger });
const sse = new LegacySseEndpoint(create, logger);
const app = createDocsHttpApp({
  guard: {
    allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'docs.example.com'],
    allowedOrigins: ['https://app.example.org'],
    domains: ['docs.example.com'],
  },
  maxBodyBytes: MAX_BODY,
  docs,
  streamable,
  sse,
  logger,
});

afterAll(async () => {
  await streamable.close();
  await sse.close();
});

const JSON_RPC_HEADERS = {
  host: 'localhost:8080',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return app.request('/mcp', {
    method: 'POST',
    headers: { ...JSON_RPC_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const searchCall = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'search', arguments: { query: 'secure context' } },
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'http-app-test', version: '1.0.0' },
  },
};

async function openSession(): Promise<string> {
  const res = await post(initialize);
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  return id as string;
}

describe('docs HTTP app', () => {
  describe('request guard', () => {
    it('refuses a Host that is not allowed with 403', async () => {
      const res = await post(searchCall(1), { host: 'evil.example:8080' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('evil.example');
    });

    it('refuses a foreign Origin with 403', async () => {
      const res = await post(searchCall(1), { origin: 'https://evil.example' });
      expect(res.status).toBe(403);
    });

    it.each([
      'http://localhost:3000',
      'http://127.0.0.1:5173',
      'https://app.example.org',
      'https://docs.example.com',
    ])('allows Origin %s', async (origin) => {
      const res = await post(searchCall(1), { origin });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toBe('Origin');
    });

    it('answers a CORS preflight for an allowed origin', async () => {
      const res = await app.request('/mcp', {
        method: 'OPTIONS',
        headers: {
          host: 'localhost',
          origin: 'https://app.example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-session-id',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-session-id');
    });

    it('allows a request without Origin (not a browser)', async () => {
      const res = await post(searchCall(1));
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      // A shared cache must not serve this answer (without CORS headers) to a browser.
      expect(res.headers.get('vary')).toBe('Origin');
    });
  });

  describe('MCP Streamable HTTP', () => {
    it('refuses a body over maxBodyBytes with 413', async () => {
      const big = {
        ...searchCall(1),
        params: { name: 'search', arguments: { query: 'x'.repeat(MAX_BODY) } },
      };
      const res = await post(big);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({
        error: { message: expect.stringContaining(`${MAX_BODY} bytes`) },
      });
    });

    it('answers invalid JSON with 400 and JSON-RPC parse error -32700', async () => {
      const res = await post('{"jsonrpc": "2.0", ');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    });

    it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
      const res = await post(searchCall(1), { 'mcp-protocol-version': '1999-01-01' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('1999-01-01');
    });

    it('serves tools/call without a session: structuredContent plus the same JSON as one text item', async () => {
      const res = await post(searchCall(42));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.headers.get('mcp-session-id')).toBeNull();
      const reply = (await res.json()) as {
        id: number;
        result: {
          structuredContent: { results: { id: string }[] };
          content: { type: string; text: string }[];
        };
      };
      expect(reply.id).toBe(42);
      const { structuredContent, content } = reply.result;
      expect(structuredContent.results[0]?.id).toBe('tls#tlscreatesecurecontextoptions');
      expect(content).toHaveLength(1);
      expect(content[0]?.type).toBe('text');
      expect(JSON.parse(content[0]?.text ?? '')).toEqual(structuredContent);
    });

    it('opens a session on initialize and serves requests in it', async () => {
      const session = await openSession();
      const res = await post(searchCall(2), { 'mcp-session-id': session });
      expect(res.status).toBe(200);
      expect(res.headers.get('mcp-session-id')).toBe(session);
      expect(((await res.json()) as { id: number }).id).toBe(2);
    });

    it('answers 404 for an unknown session id', async () => {
      const res = await post(searchCall(3), { 'mcp-session-id': 'no-such-session' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: -32001 } });
    });

    it('ends a session on DELETE: 200, then 404', async () => {
      const session = await openSession();
      const del = () =>
        app.request('/mcp', { method: 'DELETE', headers: { host: 'localhost', 'mcp-session-id': session } });
      expect((await del()).status).toBe(200);
      expect((await del()).status).toBe(404);
      expect((await post(searchCall(4), { 'mcp-session-id': session })).status).toBe(404);
    });

    it('accepts a notification-only POST with 202 and no body', async () => {
      const session = await openSession();
      const res = await post(
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { 'mcp-session-id': session },
      );
      expect(res.status).toBe(202);
      expect(await res.text()).toBe('');
    });

    it('answers a POST to /message for an unknown legacy SSE session with 404', async () => {
      // The legacy transport needs Node's raw req/res, which app.request() lacks; an unknown
      // session is refused before they are touched.
      const nodeBindings = { incoming: {}, outgoing: {} } as unknown as HttpBindings;
      const res = await app.request(
        '/message?sessionId=nope',
        { method: 'POST', headers: JSON_RPC_HEADERS, body: JSON.stringify(searchCall(5)) },
        nodeBindings,
      );
      expect(res.status).toBe(404);
    });
  });

  describe('plain HTTP routes', () => {
    it('GET /healthz reports ok with document and section counts', async () => {
      const res = await app.request('/healthz', { headers: { host: 'localhost' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        docs: { ready: true, documents: 3, sections: 12, source: 'memory:test' },
      });
    });

    it('GET /api/search answers like the search tool', async () => {
      const res = await app.request('/api/search?q=readline%20stream&limit=1', {
        headers: { host: 'localhost' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { id: string }[] };
      expect(body.results.map((r) => r.id)).toEqual(['guide/files#reading-a-file-line-by-line']);
    });

    it('GET /api/search refuses a limit that is not a number instead of ignoring it', async () => {
      const res = await app.request('/api/search?q=timeout&limit=abc', { headers: { host: 'localhost' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'docs.invalid_query' });
    });

    it('GET /api/search with an empty q is a 400 with docs.invalid_query', async () => {
      const res = await app.request('/api/search?q=', { headers: { host: 'localhost' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'docs.invalid_query' });
    });
  });

  describe('unexpected errors', () => {
    const guard = { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] };
    const failingApp = (overrides: { streamable?: unknown; docs?: unknown }) => {
      const log = new MemoryLogger();
      const failing = createDocsHttpApp({
        guard,
        maxBodyBytes: MAX_BODY,
        docs: (overrides.docs ?? docs) as ServeDocs,
        streamable: (overrides.streamable ?? streamable) as StreamableHttpEndpoint,
        sse,
        logger: log,
      });
      return { app: failing, log };
    };

    it('answers /mcp with a JSON-RPC internal error and logs the cause', async () => {
      const broken = {
        reply: async () => Promise.reject(new Error('boom in the endpoint')),
        sessionCount: 0,
      };
      const { app: failing, log } = failingApp({ streamable: broken });
      const res = await failing.request('/mcp', {
        method: 'POST',
        headers: JSON_RPC_HEADERS,
        body: JSON.stringify(searchCall(1)),
      });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32603, message: 'Internal error' },
      });
      expect(
        log.lines.some(
          (l) => l.level === 'error' && String(l.fields?.error).includes('boom in the endpoint'),
        ),
      ).toBe(true);
    });

    it('answers /mcp with 500 when the MCP endpoints failed to load, without an unhandled rejection', async () => {
      const { app: failing, log } = failingApp({ streamable: Promise.reject(new Error('SDK missing')) });
      const res = await failing.request('/mcp', {
        method: 'POST',
        headers: JSON_RPC_HEADERS,
        body: JSON.stringify(searchCall(1)),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32603 } });
      expect(log.has('error', 'MCP endpoints failed to load')).toBe(true);
      // /healthz still answers: the app itself does not depend on the SDK.
      expect((await failing.request('/healthz', { headers: { host: 'localhost' } })).status).toBe(200);
    });

    it('answers a plain route with a JSON 500 and logs the cause', async () => {
      const brokenDocs = {
        status: () => docs.status(),
        search: () => {
          throw new TypeError('index exploded');
        },
      };
      const { app: failing, log } = failingApp({ docs: brokenDocs });
      const res = await failing.request('/api/search?q=x', { headers: { host: 'localhost' } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal_error', message: 'Internal error' });
      expect(log.has('error', 'HTTP request failed')).toBe(true);
    });
  });
});
