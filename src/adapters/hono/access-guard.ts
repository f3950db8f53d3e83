import type { Context, MiddlewareHandler } from 'hono';
import type { AccessFailure, AccessIdentity, AccessVerifier } from '../../ports/access-verifier.js';
import type { Logger } from '../../ports/logger.js';
import { headerOf } from './request-guard.js';

/**
 * The routes only a verified caller reaches. `/metrics` is listed for when the main listener
 * serves it: an open metrics page would tell anyone what is being asked.
 */
export const PROTECTED_PATHS = ['/mcp', '/sse', '/message', '/api/search', '/metrics'] as const;

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

/** RFC 9728 Protected Resource Metadata: what a client needs to find where to get a token. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name?: string;
}

export interface AccessGuardOptions {
  readonly verifier: AccessVerifier;
  readonly logger: Logger;
  /** With OAuth: the metadata document, served openly and pointed at from every 401. */
  readonly metadata?: ProtectedResourceMetadata;
}

/** Variables the guard leaves on the context for the routes behind it. */
export interface AccessVariables {
  identity?: AccessIdentity;
}

/** The verified caller of this request, or undefined when access control is off. */
export function identityOf(c: Context): AccessIdentity | undefined {
  return (c as Context<{ Variables: AccessVariables }>).get('identity');
}

/**
 * Where the metadata document lives for `resource` (RFC 9728 §3.1: the well-known path inserted
 * before the resource's path), so that clients find it from the resource URI alone. A resource
 * that is not an http(s) URL (Entra's `api://…`) gets the document at the request's own origin.
 */
export function metadataUrl(resource: string, requestUrl: string): string {
  try {
    const u = new URL(resource);
    if (u.protocol === 'https:' || u.protocol === 'http:') {
      return `${u.origin}${PROTECTED_RESOURCE_PATH}${u.pathname.replace(/\/+$/, '')}`;
    }
  } catch {
    // not a URL: fall through
  }
  return `${new URL(requestUrl).origin}${PROTECTED_RESOURCE_PATH}`;
}

/** The metadata document's paths: the bare one and the path-suffixed one for the resource (and /mcp). */
export function metadataPaths(resource: string): string[] {
  const paths = new Set([PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/mcp`]);
  try {
    const path = new URL(resource).pathname.replace(/\/+$/, '');
    if (path) paths.add(`${PROTECTED_RESOURCE_PATH}${path}`);
  } catch {
    // not a URL: only the fixed paths
  }
  return [...paths];
}

/**
 * Lets a request through with a verified identity on the context, or answers as RFC 6750 §3 says:
 * 401 with `WWW-Authenticate: Bearer` (plus `error="invalid_token"` for a bad token), 403 with
 * `insufficient_scope`. With OAuth the header carries `resource_metadata` (RFC 9728 §5.1), which is
 * how MCP clients discover the authorization server.
 */
export function accessGuard(opts: AccessGuardOptions): MiddlewareHandler<{ Variables: AccessVariables }> {
  return async (c, next) => {
    const decision = await opts.verifier.verify(headerOf(c, 'authorization'));
    if (decision.ok) {
      c.set('identity', decision.identity);
      await next();
      return;
    }
    const { failure } = decision;
    if (failure.code !== 'missing') {
      opts.logger.info('request refused', {
        path: c.req.path,
        reason: failure.code,
        description: failure.description,
      });
    }
    return refusal(failure, opts.metadata ? metadataUrl(opts.metadata.resource, c.req.url) : undefined);
  };
}

/** The 401/403/503 for a failure; the body repeats the header's error for clients that show bodies. */
export function refusal(failure: AccessFailure, resourceMetadata: string | undefined): Response {
  const params: string[] = [];
  if (resourceMetadata) params.push(`resource_metadata="${quoted(resourceMetadata)}"`);
  else params.push('realm="certdocs"');
  if (failure.code === 'invalid_token' || failure.code === 'insufficient_scope') {
    params.push(`error="${failure.code}"`, `error_description="${quoted(failure.description)}"`);
  }
  if (failure.code === 'insufficient_scope' && failure.requiredScopes?.length) {
    params.push(`scope="${quoted(failure.requiredScopes.join(' '))}"`);
  }
  const status = failure.code === 'insufficient_scope' ? 403 : failure.code === 'unavailable' ? 503 : 401;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status !== 503) headers['www-authenticate'] = `Bearer ${params.join(', ')}`;
  const body =
    failure.code === 'missing'
      ? { error: 'unauthorized', error_description: 'this server needs a bearer token' }
      : {
          error: failure.code === 'unavailable' ? 'temporarily_unavailable' : failure.code,
          error_description: failure.description,
        };
  return new Response(JSON.stringify(body), { status, headers });
}

/** A quoted-string's content (RFC 9110 §5.6.4): no quotes, backslashes or control characters. */
function quoted(text: string): string {
  // Descriptions are certdocs' own words; this only keeps a future one from breaking the header.
  return [...text.replace(/[\\"]/g, "'")].map((ch) => (ch < ' ' || ch === '\x7f' ? ' ' : ch)).join('');
}
