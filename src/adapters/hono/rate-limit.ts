import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { type RateLimitInfo, rateLimiter } from 'hono-rate-limiter';

export interface RateLimitOptions {
  /** Requests allowed per client address in each window. */
  readonly requests: number;
  readonly windowMs: number;
}

type Env = { Bindings: HttpBindings };

/**
 * At most `requests` per client address in each fixed window (hono-rate-limiter's in-memory store).
 * The address is the TCP peer's: X-Forwarded-For is not read, since anyone can send it. Over the
 * limit, `answer` makes the 429 (a JSON-RPC error on MCP routes, JSON elsewhere) and Retry-After
 * says when the window turns. CORS preflights do not count: browsers send them on their own.
 */
export function perClientRateLimit(
  opts: RateLimitOptions,
  answer: (c: Context<Env>, message: string) => Response,
): MiddlewareHandler<Env> {
  return rateLimiter<Env>({
    limit: opts.requests,
    windowMs: opts.windowMs,
    standardHeaders: 'draft-7',
    keyGenerator: (c) => c.env?.incoming?.socket?.remoteAddress ?? 'unknown',
    skip: (c) => c.req.method === 'OPTIONS',
    handler: (c) => {
      const info = c.get('rateLimit' as never) as RateLimitInfo | undefined;
      const untilReset = info?.resetTime ? info.resetTime.getTime() - Date.now() : opts.windowMs;
      const retryAfter = Math.max(1, Math.ceil(untilReset / 1000));
      const window = opts.windowMs / 1000;
      const res = answer(
        c,
        `Too many requests: at most ${opts.requests} per ${window} s from one address; retry after ${retryAfter} s`,
      );
      res.headers.set('retry-after', String(retryAfter));
      return res;
    },
  });
}
