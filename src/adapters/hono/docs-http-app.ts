import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { isDomainError } from '../../domain/errors.js';
import type { ServeDocs } from '../../domain/serve-docs.js';
import type { Logger } from '../../ports/logger.js';
import { rpcError } from '../mcp-sdk/json-rpc-error.js';
import type { LegacySseEndpoint } from '../mcp-sdk/legacy-sse-endpoint.js';
import type { StreamableHttpEndpoint } from '../mcp-sdk/streamable-http-endpoint.js';
import { type GuardOptions, isOriginAllowed, requestGuard } from './request-guard.js';

export interface DocsHttpAppOptions {
  readonly guard: GuardOptions;
  readonly maxBodyBytes: number;
  readonly docs: ServeDocs;
  /** The MCP endpoints, or a promise of them while the SDK is still loading. */
  readonly streamable: StreamableHttpEndpoint | Promise<StreamableHttpEndpoint>;
  readonly sse: LegacySseEndpoint | Promise<LegacySseEndpoint>;
  readonly health?: HealthFields;
  /** Where errors no route answered go (instead of Hono's console.error). */
  readonly logger: Logger;
}

const MCP_HEADERS = [
  'content-type',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  'authorization',
];

const MCP_PATHS = new Set(['/mcp', '/sse', '/message']);

/** Extra fields for /healthz (the certificate's state), read at each request. */
export type HealthFields = () => Record<string, unknown>;

/** The HTTP face of certdocs: MCP (Streamable HTTP + legacy SSE), a plain JSON search route, and /healthz. */
export function createDocsHttpApp(opts: DocsHttpAppOptions): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  let streamableReady: StreamableHttpEndpoint | undefined;
  let sseReady: LegacySseEndpoint | undefined;
  // Both come from one load of the SDK: log its failure once. The MCP routes await the same
  // promises, so their requests fail through onError below.
  let loadFailureLogged = false;
  const loadFailed = (e: unknown) => {
    if (loadFailureLogged) return;
    loadFailureLogged = true;
    opts.logger.error('the MCP endpoints failed to load', { error: errorText(e) });
  };
  Promise.resolve(opts.streamable).then((s) => {
    streamableReady = s;
  }, loadFailed);
  Promise.resolve(opts.sse).then((s) => {
    sseReady = s;
  }, loadFailed);
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const res = err.getResponse();
      return c.newResponse(res.body, res);
    }
    opts.logger.error('HTTP request failed', {
      method: c.req.method,
      path: c.req.path,
      error: errorText(err),
    });
    // The legacy SSE routes write to Node's response themselves: it may be under way already.
    const outgoing = c.env?.outgoing;
    if (outgoing?.headersSent) {
      outgoing.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    if (MCP_PATHS.has(c.req.path)) return rpcError(500, -32603, 'Internal error');
    return c.json({ error: 'internal_error', message: 'Internal error' }, 500);
  });
  app.use('*', requestGuard(opts.guard));
  app.use(
    '*',
    cors({
      origin: (origin) => (isOriginAllowed(origin, opts.guard) ? origin : null),
      allowHeaders: MCP_HEADERS,
      exposeHeaders: ['mcp-session-id', 'mcp-protocol-version'],
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    }),
  );
  const limit = bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: () => rpcError(413, -32000, `Request body larger than ${opts.maxBodyBytes} bytes`),
  });

  app.get('/healthz', (c) => {
    const docs = opts.docs.status();
    return c.json({
      status: docs.ready ? 'ok' : 'starting',
      docs,
      mcp: { sessions: streamableReady?.sessionCount ?? 0, legacySseSessions: sseReady?.sessionCount ?? 0 },
      ...(opts.health?.() ?? {}),
    });
  });

  // The same search as the MCP tool, for curl, scripts and as the benchmark's baseline.
  app.get('/api/search', (c) => {
    const limitParam = c.req.query('limit');
    const limit = limitParam ? Number(limitParam) : undefined;
    // NaN would slip through ServeDocs' clamp and lift the limit altogether.
    if (limit !== undefined && !Number.isInteger(limit)) {
      return c.json(
        { error: 'docs.invalid_query', message: `limit must be a whole number, got "${limitParam}"` },
        400,
      );
    }
    try {
      return c.json(opts.docs.search({ query: c.req.query('q') ?? '', limit }));
    } catch (e) {
      if (isDomainError(e)) return c.json({ error: e.code, message: e.message }, 400);
      throw e;
    }
  });

  app.on(['POST', 'GET', 'DELETE'], '/mcp', limit, async (c) => {
    let body: unknown;
    if (c.req.method === 'POST') {
      try {
        body = await c.req.json();
      } catch {
        return rpcError(400, -32700, 'Parse error: the body is not valid JSON');
      }
    }
    // Node's socket address (absent under app.request()): the endpoint limits initialize per client.
    return (await opts.streamable).handle(c.req.raw, body, c.env?.incoming?.socket?.remoteAddress);
  });

  app.get('/sse', async (c) => {
    await (await opts.sse).open(c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  app.post('/message', limit, async (c) => {
    const sessionId = c.req.query('sessionId');
    if (!sessionId) return rpcError(400, -32000, 'sessionId query parameter required');
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return rpcError(400, -32700, 'Parse error: the body is not valid JSON');
    }
    const found = await (await opts.sse).post(sessionId, c.env.incoming, c.env.outgoing, body);
    return found ? RESPONSE_ALREADY_SENT : rpcError(404, -32001, 'Session not found');
  });

  return app;
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
