import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { rpcError } from '../mcp-sdk/json-rpc-error.js';

export interface GuardOptions {
  /** Host names (no port) a request may address; '*' allows any. */
  readonly allowedHosts: readonly string[];
  /** Extra browser origins beyond loopback and the server's domains; '*' allows any. */
  readonly allowedOrigins: readonly string[];
  /** Domains the server has a certificate for: their https origins are the server's own. */
  readonly domains: readonly string[];
  /** Where an operator widens each list, for the 403 message ("see --allowed-hosts"). */
  readonly hints?: { readonly hosts: string; readonly origins: string };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon > -1 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function isHostAllowed(hostHeader: string | undefined, opts: GuardOptions): boolean {
  if (opts.allowedHosts.includes('*')) return true;
  if (!hostHeader) return false;
  const host = hostnameOf(hostHeader);
  return opts.allowedHosts.some((a) => a.toLowerCase() === host);
}

export function isOriginAllowed(origin: string, opts: GuardOptions): boolean {
  if (opts.allowedOrigins.includes('*')) return true;
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (LOOPBACK.test(url.hostname)) return true;
  if (url.protocol === 'https:' && opts.domains.includes(url.hostname.toLowerCase())) return true;
  return opts.allowedOrigins.some((a) => a.replace(/\/+$/, '').toLowerCase() === url.origin.toLowerCase());
}

/**
 * A request header, read from Node's parsed headers when the app runs under @hono/node-server:
 * `c.req.header()` would build a fetch `Headers` for every request (and with it lose the adapter's
 * lightweight path). Under `app.request()` (tests) there is no Node request: the fetch headers.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = (c.env as HttpBindings | undefined)?.incoming;
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The spec's MUSTs against DNS rebinding and cross-site use: refuse a Host that is not ours and a
 * browser Origin that is not allowed (no Origin header: not a browser, allowed). The SDK does neither
 * for Streamable HTTP over Hono, so every route goes through this.
 */
export function requestGuard(opts: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = headerOf(c, 'host');
    if (!isHostAllowed(host, opts)) {
      return rpcError(403, -32000, `Host "${host ?? ''}" is not allowed${seeAlso(opts.hints?.hosts)}`);
    }
    const origin = headerOf(c, 'origin');
    if (origin !== undefined && !isOriginAllowed(origin, opts)) {
      return rpcError(403, -32000, `Origin "${origin}" is not allowed${seeAlso(opts.hints?.origins)}`);
    }
    await next();
  };
}

function seeAlso(hint: string | undefined): string {
  return hint ? ` (see ${hint})` : '';
}
