import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import { isDomainError } from '../../domain/errors.js';
import type { ServeDocs } from '../../domain/serve-docs.js';
import type { AccessVerifier } from '../../ports/access-verifier.js';
import type { Logger } from '../../ports/logger.js';
import { type Metrics, NO_METRICS } from '../../ports/metrics.js';
import { type HttpReply, rpcError, rpcErrorReply } from '../mcp-sdk/json-rpc-error.js';
import type { LegacySseEndpoint } from '../mcp-sdk/legacy-sse-endpoint.js';
import type { McpHttpRequest, StreamableHttpEndpoint } from '../mcp-sdk/streamable-http-endpoint.js';
import {
  type AccessVariables,
  accessGuard,
  identityOf,
  metadataPaths,
  PROTECTED_PATHS,
  type ProtectedResourceMetadata,
} from './access-guard.js';
import { cors } from './cors.js';
import { mcpFront, type NodeFront } from './mcp-front.js';
import { perClientRateLimit, type RateLimitOptions } from './rate-limit.js';
import { readBody } from './read-body.js';
import { type GuardOptions, headerOf, isOriginAllowed, requestGuard } from './request-guard.js';

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
  /** Records the /api/search requests (MCP requests are recorded by the MCP servers). */
  readonly metrics?: Metrics;
  /** Serves GET /metrics (behind the Origin/Host guard) when given. */
  readonly scrape?: Scrape;
  /** Per client address on the MCP routes and /api/search; none when absent. */
  readonly rateLimit?: RateLimitOptions;
  /** Access control (--auth token|oauth); absent: every route is open, as before. */
  readonly access?: DocsHttpAccess;
}

export interface DocsHttpAccess {
  readonly verifier: AccessVerifier;
  /** OAuth: the RFC 9728 document, served openly and named in every 401. */
  readonly metadata?: ProtectedResourceMetadata;
  /** Keep document counts, sessions and certificate details on /healthz (--health-details). */
  readonly healthDetails?: boolean;
}

/** The metrics in Prometheus' text format, for GET /metrics. */
export type Scrape = () => Promise<{ readonly contentType: string; readonly text: string }>;

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

export type DocsHono = Hono<{ Bindings: HttpBindings; Variables: AccessVariables }>;

/** The HTTP face of certdocs: MCP (Streamable HTTP + legacy SSE), a plain JSON search route, and /healthz. */
export function createDocsHttpApp(opts: DocsHttpAppOptions): DocsHono {
  return createDocsHttp(opts).app;
}

/**
 * The Hono app, and the front that answers the common `POST /mcp` on Node's request before it
 * (mcp-front.ts); absent when a rate limit or access control is on: those requests go through
 * Hono's middleware.
 */
export function createDocsHttp(opts: DocsHttpAppOptions): { app: DocsHono; front?: NodeFront } {
  const app = new Hono<{ Bindings: HttpBindings; Variables: AccessVariables }>();
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
  app.use('*', requestLog(opts.logger));
  app.use('*', requestGuard(opts.guard));
  app.use(
    '*',
    cors({
      allowed: (origin) => isOriginAllowed(origin, opts.guard),
      allowHeaders: MCP_HEADERS,
      exposeHeaders: ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'],
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    }),
  );
  if (opts.rateLimit) {
    // One budget per client across these routes; /healthz is never limited (monitors poll it).
    const limiter = perClientRateLimit(opts.rateLimit, (c, message) =>
      MCP_PATHS.has(c.req.path)
        ? rpcError(429, -32000, message)
        : c.json({ error: 'rate_limited', message }, 429),
    );
    for (const path of [...MCP_PATHS, '/api/search']) app.use(path, limiter);
  }
  const tooLarge = () => rpcErrorReply(413, -32000, `Request body larger than ${opts.maxBodyBytes} bytes`);
  const limit = bodyLimit({ maxSize: opts.maxBodyBytes, onError: (c) => reply(c, tooLarge()) });

  const access = opts.access;
  if (access) {
    // After CORS (a preflight carries no token), before any protected route: Hono runs handlers in
    // the order they are added, so a route listed in PROTECTED_PATHS (/metrics) goes below this.
    const guard = accessGuard({ verifier: access.verifier, logger: opts.logger, metadata: access.metadata });
    for (const path of PROTECTED_PATHS) app.use(path, guard);
    const metadata = access.metadata;
    if (metadata) for (const path of metadataPaths(metadata.resource)) app.get(path, (c) => c.json(metadata));
  }

  app.get('/healthz', (c) => {
    const docs = opts.docs.status();
    // Behind access control, an open /healthz says only whether the server is up.
    if (access && !access.healthDetails) return c.json({ status: docs.ready ? 'ok' : 'starting' });
    return c.json({
      status: docs.ready ? 'ok' : 'starting',
      docs,
      mcp: { sessions: streamableReady?.sessionCount ?? 0, legacySseSessions: sseReady?.sessionCount ?? 0 },
      ...(opts.health?.() ?? {}),
    });
  });

  const scrape = opts.scrape;
  if (scrape) app.get('/metrics', (c) => metricsResponse(c, scrape));

  const metrics = opts.metrics ?? NO_METRICS;
  app.use('/api/search', async (c, next) => {
    const started = performance.now();
    await next();
    metrics.requestServed({
      transport: 'api',
      method: 'search',
      ok: c.res.status < 400,
      ms: performance.now() - started,
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

  app.on(['POST', 'GET', 'DELETE'], '/mcp', async (c) => {
    let body: unknown;
    if (c.req.method === 'POST') {
      const read = await readBody(c, opts.maxBodyBytes);
      if (!read.ok) return reply(c, tooLarge());
      try {
        body = JSON.parse(read.text);
      } catch {
        return reply(c, rpcErrorReply(400, -32700, 'Parse error: the body is not valid JSON'));
      }
    }
    // Node's socket address (absent under app.request()) limits initialize per client; the verified
    // caller, when access control is on, owns the sessions it opens.
    const client = c.env?.incoming?.socket?.remoteAddress;
    const request: McpHttpRequest = {
      method: c.req.method,
      headers: { get: (name) => headerOf(c, name) ?? null },
    };
    const endpoint = streamableReady ?? (await opts.streamable);
    return reply(c, await endpoint.reply(request, body, client, identityOf(c)?.subject));
  });

  app.get('/sse', async (c) => {
    await (await opts.sse).open(c.env.outgoing, identityOf(c)?.subject);
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
    const found = await (await opts.sse).post(
      sessionId,
      c.env.incoming,
      c.env.outgoing,
      body,
      identityOf(c)?.subject,
    );
    return found ? RESPONSE_ALREADY_SENT : rpcError(404, -32001, 'Session not found');
  });

  const front =
    opts.rateLimit || opts.access
      ? undefined
      : mcpFront({
          guard: opts.guard,
          maxBodyBytes: opts.maxBodyBytes,
          endpoint: () => streamableReady,
          logger: opts.logger,
          tooLarge,
        });
  return { app, front };
}

/**
 * One debug line per request once it is answered: method, path (no query: it may hold a search
 * someone would rather not see in logs), status and milliseconds.
 */
export function requestLog(logger: Logger): MiddlewareHandler<{ Bindings: HttpBindings }> {
  return async (c, next) => {
    if (!logger.isEnabled('debug')) return next();
    const started = performance.now();
    await next();
    // Routes that write to Node's response themselves (legacy SSE) leave Hono a placeholder.
    const outgoing = c.env?.outgoing;
    logger.debug('HTTP request', {
      method: c.req.method,
      path: c.req.path,
      status: outgoing?.headersSent ? outgoing.statusCode : c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/**
 * An endpoint's reply as Hono's response: headers set by middleware before the route (rate-limit
 * headers) are kept, and under @hono/node-server the response stays its lightweight kind.
 */
function reply(c: Context, r: HttpReply): Response {
  // null bodies go with statuses such as 202 and 204, which Hono's overloads keep apart.
  return r.body === null
    ? c.body(null, r.status as StatusCode, r.headers)
    : c.body(r.body, r.status as ContentfulStatusCode, r.headers);
}

/** GET /metrics: the exposition, as plain text for Prometheus. */
export async function metricsResponse(c: Context, scrape: Scrape): Promise<Response> {
  const { contentType, text } = await scrape();
  return c.body(text, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
