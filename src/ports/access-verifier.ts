/**
 * Who is calling, judged from the request's `Authorization` header. The HTTP edge asks before it
 * lets a request reach MCP or search, and turns a failure into RFC 6750's 401/403. A verifier never
 * passes the token on, and never puts it in an identity, a failure or a log line.
 */

/** Who a request speaks for: enough to bind a session to its creator and to log who did what. */
export interface AccessIdentity {
  /** Stable for one caller: the JWT `sub` (or `client_id`), or a short fingerprint of a static token. */
  readonly subject: string;
  readonly scopes: readonly string[];
}

/**
 * Why a request is refused, as RFC 6750 §3.1 names it:
 * - `missing`: no bearer credentials at all (401 without an error code);
 * - `invalid_token`: expired, for another audience, unknown key, malformed, revoked (401);
 * - `insufficient_scope`: a valid token without a required scope (403);
 * - `unavailable`: the authorization server could not be asked (503: the caller is not at fault).
 */
export type AccessFailureCode = 'missing' | 'invalid_token' | 'insufficient_scope' | 'unavailable';

export interface AccessFailure {
  readonly code: AccessFailureCode;
  /** For `error_description` and the log: what is wrong, never the token itself. */
  readonly description: string;
  /** With `insufficient_scope`: the scopes a token needs. */
  readonly requiredScopes?: readonly string[];
}

export type AccessDecision =
  | { readonly ok: true; readonly identity: AccessIdentity }
  | { readonly ok: false; readonly failure: AccessFailure };

export interface AccessVerifier {
  /** `authorization`: the header's value as received, or undefined when there is none. */
  verify(authorization: string | undefined): Promise<AccessDecision>;
}

export const ACCESS_VERIFIER = Symbol.for('certdocs.AccessVerifier');

/** The credentials of `Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}
