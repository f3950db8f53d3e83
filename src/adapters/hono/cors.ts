import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { headerOf } from './request-guard.js';

export interface CorsOptions {
  /** Whether a browser on this origin may call certdocs (the request guard's rule). */
  readonly allowed: (origin: string) => boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
}

/**
 * CORS for browser clients: Hono's own middleware sets headers on every response, which makes
 * @hono/node-server build a full fetch Response for each and costs non-browser clients (every MCP
 * client but web ones) a third of their throughput. Answers preflights (204); on other requests
 * from an allowed origin adds Allow-Origin and Expose-Headers; every response says `Vary: Origin`
 * (an answer without CORS headers must not be cached for a browser's request). Under @hono/node-server they are
 * set on Node's response before the route runs, so they reach every answer (the legacy SSE stream,
 * written to Node directly, too) without touching the route's Response.
 */
export function cors(opts: CorsOptions): MiddlewareHandler {
  const methods = opts.allowMethods.join(',');
  const allowHeaders = opts.allowHeaders.join(',');
  const expose = opts.exposeHeaders.join(',');
  return async (c, next) => {
    const origin = headerOf(c, 'origin');
    const outgoing = (c.env as HttpBindings | undefined)?.outgoing;
    if (!origin) {
      // Shared caches must not hand this answer to a browser (whose request carries an Origin):
      // one header on Node's response, which keeps @hono/node-server's lightweight path.
      if (outgoing?.setHeader) {
        outgoing.setHeader('vary', 'Origin');
        await next();
        return;
      }
      await next();
      c.res.headers.append('vary', 'Origin');
      return;
    }
    const allowed = opts.allowed(origin);
    if (c.req.method === 'OPTIONS') {
      const headers = new Headers({ vary: 'Origin', 'access-control-allow-methods': methods });
      if (allowed) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-expose-headers', expose);
      }
      if (allowHeaders) {
        headers.set('access-control-allow-headers', allowHeaders);
        headers.append('vary', 'Access-Control-Request-Headers');
      }
      return new Response(null, { status: 204, headers });
    }
    const add: [string, string][] = allowed
      ? [
          ['access-control-allow-origin', origin],
          ['access-control-expose-headers', expose],
          ['vary', 'Origin'],
        ]
      : [['vary', 'Origin']];
    if (outgoing?.setHeader) {
      for (const [name, value] of add) outgoing.setHeader(name, value);
      await next();
      return;
    }
    await next();
    for (const [name, value] of add) c.res.headers.append(name, value);
  };
}
