import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocsHttp } from '../../src/adapters/hono/docs-http-app.js';
import type { NodeFront } from '../../src/adapters/hono/mcp-front.js';
import { type RunningServer, serveNode } from '../../src/adapters/hono/node-server.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const LOOPBACK = '127.0.0.1';
const MAX_BODY = 2048;

interface Sent {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** Sent with a pause between parts; chunked when no content-length header is given. */
  readonly parts?: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly headers: string[];
  readonly body: string;
}

const MCP = {
  host: 'localhost',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

const rpc = (m: object) => JSON.stringify({ jsonrpc: '2.0', ...m });
const withLength = (body: string, headers: Record<string, string> = MCP): Sent => ({
  headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
  parts: [body],
});
const fetchCall = rpc({
  id: 1,
  method: 'tools/call',
  params: { name: 'fetch', arguments: { id: 'timers' } },
});

/**
 * The front (POST /mcp answered on Node's request) against the same app without it (every request
 * through Hono), over real sockets: for every request below both must answer the same status,
 * headers (but Date and the session id's value) and bytes, errors word for word.
 */
describe('the MCP front answers as the Hono route does', () => {
  // Debug request lines are written by Hono's middleware: with them on, the front stays out of the way.
  const logger = new MemoryLogger('info');
  let withFront: RunningServer;
  let withoutFront: RunningServer;
  let streamable: StreamableHttpEndpoint;
  let sse: LegacySseEndpoint;
  let taken = 0;

  beforeAll(async () => {
    const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
    await docs.load();
    const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
    streamable = new StreamableHttpEndpoint({
      createServer: () => factory.create('streamable-http'),
      direct: factory.directCalls('streamable-http'),
      logger,
    });
    sse = new LegacySseEndpoint(() => factory.create('sse'), logger);
    const { app, front } = createDocsHttp({
      guard: { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] },
      maxBodyBytes: MAX_BODY,
      docs,
      streamable,
      sse,
      logger,
    });
    expect(front).toBeDefined();
    const counted: NodeFront = (req, res) => {
      const answered = (front as NodeFront)(req, res);
      if (answered) taken++;
      return answered;
    };
    withFront = await serveNode(app, { host: LOOPBACK, port: 0, front: counted });
    withoutFront = await serveNode(app, { host: LOOPBACK, port: 0 });
    // The endpoint promise resolves on a later turn: until then the front leaves every request to Hono.
    await new Promise((r) => setImmediate(r));
  });
  afterAll(async () => {
    await withFront?.close();
    await withoutFront?.close();
    await streamable?.close();
    await sse?.close();
  });

  function send(server: RunningServer, sent: Sent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: LOOPBACK,
        port: server.port,
        method: sent.method ?? 'POST',
        path: sent.path ?? '/mcp',
        headers: sent.headers ?? MCP,
        setHost: false,
        agent: false,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i] as string;
            if (name.toLowerCase() === 'date') continue;
            const value = name.toLowerCase() === 'mcp-session-id' ? '(a session)' : res.rawHeaders[i + 1];
            headers.push(`${name}: ${value}`);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const parts = sent.parts ?? [];
      const next = (i: number) => {
        if (i === parts.length) return void req.end();
        req.write(parts[i]);
        setTimeout(() => next(i + 1), 20);
      };
      next(0);
    });
  }

  const cases: [string, Sent, number][] = [
    ['a tool call answered directly', withLength(fetchCall), 200],
    [
      'a tool call whose arguments fail the schema',
      withLength(rpc({ id: 2, method: 'tools/call', params: { name: 'fetch', arguments: { id: 7 } } })),
      200,
    ],
    ['a request for the shared server (tools/list)', withLength(rpc({ id: 3, method: 'tools/list' })), 200],
    ['a notification', withLength(rpc({ method: 'notifications/initialized' })), 202],
    ['a batch', withLength(`[${fetchCall},${rpc({ id: 4, method: 'ping' })}]`), 200],
    [
      'a body sent in pieces, chunked, with a BOM',
      { headers: MCP, parts: ['\ufeff{"jsonrpc":"2.0",', '"id":5,"method":"ping"}'] },
      200,
    ],
    ['an SSE-only Accept', withLength(fetchCall, { ...MCP, accept: 'text/event-stream' }), 200],
    [
      'an initialize',
      withLength(
        rpc({
          id: 6,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        }),
      ),
      200,
    ],
    ['an unknown session', withLength(fetchCall, { ...MCP, 'mcp-session-id': 'nope' }), 404],
    [
      'an unsupported protocol version',
      withLength(fetchCall, { ...MCP, 'mcp-protocol-version': '1999-01-01' }),
      400,
    ],
    ['a wrong Content-Type', withLength(fetchCall, { ...MCP, 'content-type': 'text/plain' }), 415],
    ['an Accept without JSON or SSE', withLength(fetchCall, { ...MCP, accept: 'text/html' }), 406],
    ['a body that is not JSON', withLength('{"jsonrpc":'), 400],
    ['a message that is not JSON-RPC', withLength('{"jsonrpc":"1.0","id":1,"method":"ping"}'), 400],
    [
      'bad params of a known method',
      withLength(rpc({ id: 7, method: 'tools/call', params: { arguments: {} } })),
      400,
    ],
    ['a declared length over the limit', withLength(' '.repeat(MAX_BODY + 1)), 413],
    [
      'a chunked body that grows past the limit',
      { headers: MCP, parts: [' '.repeat(MAX_BODY), ' '.repeat(10)] },
      413,
    ],
    ['a Host that is not allowed', withLength(fetchCall, { ...MCP, host: 'evil.example' }), 403],
    [
      // Node's parser refuses an HTTP/1.1 request without Host (400) before either sees it.
      'no Host',
      withLength(fetchCall, Object.fromEntries(Object.entries(MCP).filter(([k]) => k !== 'host'))),
      400,
    ],
    [
      'an allowed browser Origin (CORS)',
      withLength(fetchCall, { ...MCP, origin: 'http://localhost:3000' }),
      200,
    ],
    [
      'a browser Origin that is not allowed',
      withLength(fetchCall, { ...MCP, origin: 'https://evil.example' }),
      403,
    ],
    ['a query string', { ...withLength(fetchCall), path: '/mcp?x=1' }, 200],
  ];

  for (const [name, sent, status] of cases) {
    it(name, async () => {
      const viaHono = await send(withoutFront, sent);
      const viaFront = await send(withFront, sent);
      expect(viaHono.status).toBe(status);
      expect(viaFront).toEqual(viaHono);
    });
  }

  it('took the requests it may take, and left the rest to Hono', async () => {
    const before = taken;
    await send(withFront, withLength(fetchCall));
    await send(withFront, withLength(fetchCall, { ...MCP, origin: 'http://localhost:3000' }));
    await send(withFront, withLength(fetchCall, { ...MCP, host: 'evil.example' }));
    await send(withFront, { ...withLength(fetchCall), path: '/mcp?x=1' });
    await send(withFront, { method: 'GET', path: '/healthz', headers: { host: 'localhost' } });
    expect(taken - before).toBe(1);
  });
});
