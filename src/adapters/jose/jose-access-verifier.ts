import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { AccessSettingError } from '../../domain/access-errors.js';
import {
  type AccessDecision,
  type AccessFailure,
  type AccessIdentity,
  type AccessVerifier,
  bearerToken,
} from '../../ports/access-verifier.js';
import type { Logger } from '../../ports/logger.js';

export interface JoseAccessVerifierOptions {
  /** The authorization server's issuer identifier, exactly as its metadata states it. */
  readonly issuer: string;
  /** This resource's identifier (RFC 8707): a token's `aud` must name it. */
  readonly audience: string;
  /** Every one of these must be granted, or the answer is 403 insufficient_scope. */
  readonly requiredScopes: readonly string[];
  /** For RFC 7662 introspection of opaque tokens, when the issuer offers it. */
  readonly client?: { readonly id: string; readonly secret: string };
  /** Allowed clock difference for exp/nbf/iat (default 30 s). */
  readonly clockToleranceSec?: number;
  /** Least time between two JWKS fetches for an unknown `kid` (jose's cooldown, default 30 s). */
  readonly jwksCooldownMs?: number;
  /** Most verified tokens remembered (default 10 000). */
  readonly cacheSize?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** What certdocs reads from the issuer's RFC 8414 / OpenID Connect Discovery metadata. */
interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly introspection_endpoint?: string;
}

/** Signatures certdocs accepts: asymmetric only, so no shared secret could ever mint a token. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Introspection answers are trusted this long at most, so a revocation takes effect soon. */
const INTROSPECTION_CACHE_MS = 60_000;

/**
 * `--auth oauth`: certdocs as an OAuth 2.1 resource server. JWT access tokens are verified locally
 * with jose against the issuer's published keys (signature, iss, aud, exp/nbf); opaque tokens are
 * introspected (RFC 7662) when the issuer offers it and certdocs has client credentials. A verified
 * token is remembered (by its hash) until it expires, so a request costs a map look-up.
 * The token goes nowhere but to the issuer's own introspection endpoint.
 */
export class JoseAccessVerifier implements AccessVerifier {
  private metadata: IssuerMetadata | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly cache = new Map<string, { identity: AccessIdentity; until: number }>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(
    private readonly options: JoseAccessVerifierOptions,
    private readonly logger: Logger,
  ) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** Reads the issuer's metadata (RFC 8414, then OpenID Discovery); failing that, certdocs does not start. */
  async start(): Promise<void> {
    const metadata = await this.discover();
    if (!metadata.jwks_uri && !metadata.introspection_endpoint) {
      throw new AccessSettingError(
        'oauthIssuer',
        `${this.options.issuer} publishes neither jwks_uri nor introspection_endpoint: no way to check a token`,
      );
    }
    this.metadata = metadata;
    if (metadata.jwks_uri) {
      // jose caches the key set and fetches it again when a token names a kid it does not hold.
      this.jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), {
        cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
        timeoutDuration: 5_000,
      });
    }
    this.logger.info('OAuth access control ready', {
      issuer: metadata.issuer,
      audience: this.options.audience,
      jwks: metadata.jwks_uri,
      introspection: Boolean(metadata.introspection_endpoint && this.options.client),
    });
  }

  async verify(authorization: string | undefined): Promise<AccessDecision> {
    if (authorization === undefined || authorization.trim() === '') {
      return refuse('missing', 'no bearer token');
    }
    const token = bearerToken(authorization);
    if (!token) return refuse('invalid_token', 'the Authorization header is not "Bearer <token>"');
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return this.withScopes(cached.identity);
    if (cached) this.cache.delete(key);

    const verified = isJwt(token) ? await this.verifyJwt(token) : await this.introspect(token);
    if ('failure' in verified) return { ok: false, failure: verified.failure };
    this.remember(key, verified.identity, verified.until);
    return this.withScopes(verified.identity);
  }

  private withScopes(identity: AccessIdentity): AccessDecision {
    const missing = this.options.requiredScopes.filter((s) => !identity.scopes.includes(s));
    if (missing.length === 0) return { ok: true, identity };
    return {
      ok: false,
      failure: {
        code: 'insufficient_scope',
        description: `the token lacks the scope ${missing.join(', ')}`,
        requiredScopes: this.options.requiredScopes,
      },
    };
  }

  private async verifyJwt(token: string): Promise<Verified> {
    const jwks = this.jwks;
    if (!jwks)
      return { failure: failure('invalid_token', 'the issuer publishes no keys for JWT access tokens') };
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.options.clockToleranceSec ?? 30,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      });
      return { identity: identityOf(payload), until: (payload.exp as number) * 1000 };
    } catch (e) {
      return { failure: this.explain(e) };
    }
  }

  /** RFC 7662: the issuer says whether an opaque token is active, for whom, with which scopes. */
  private async introspect(token: string): Promise<Verified> {
    const endpoint = this.metadata?.introspection_endpoint;
    const client = this.options.client;
    if (!endpoint || !client) {
      return {
        failure: failure(
          'invalid_token',
          'the token is not a JWT, and certdocs cannot introspect opaque tokens',
        ),
      };
    }
    let body: Record<string, unknown>;
    try {
      const res = await this.fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`introspection endpoint answered ${res.status}`);
      body = (await res.json()) as Record<string, unknown>;
    } catch (e) {
      this.logger.warn('token introspection failed', { endpoint, error: (e as Error).message });
      return {
        failure: failure('unavailable', 'the authorization server could not be asked about the token'),
      };
    }
    if (body.active !== true)
      return { failure: failure('invalid_token', 'the token is not active (expired or revoked)') };
    if (body.iss !== undefined && body.iss !== this.options.issuer) {
      return { failure: failure('invalid_token', 'the token was issued by another issuer') };
    }
    const aud = body.aud === undefined ? [] : Array.isArray(body.aud) ? body.aud : [body.aud];
    if (!aud.includes(this.options.audience)) {
      return {
        failure: failure('invalid_token', `the token is not for this resource (${this.options.audience})`),
      };
    }
    const exp = typeof body.exp === 'number' ? body.exp * 1000 : Number.POSITIVE_INFINITY;
    return {
      identity: identityOf(body as JWTPayload),
      until: Math.min(exp, this.now() + INTROSPECTION_CACHE_MS),
    };
  }

  /** What jose found wrong, in words for error_description and the log; never the token. */
  private explain(e: unknown): AccessFailure {
    if (e instanceof errors.JWTExpired) return failure('invalid_token', 'the token has expired');
    if (e instanceof errors.JWTClaimValidationFailed) {
      switch (e.claim) {
        case 'aud':
          return failure('invalid_token', `the token is for another audience, not ${this.options.audience}`);
        case 'iss':
          return failure('invalid_token', 'the token was issued by another issuer');
        case 'nbf':
          return failure('invalid_token', 'the token is not valid yet');
        default:
          return failure('invalid_token', `the token's "${e.claim}" claim is not acceptable: ${e.reason}`);
      }
    }
    if (e instanceof errors.JWKSNoMatchingKey) {
      return failure('invalid_token', 'the token is signed with a key the issuer does not publish');
    }
    if (e instanceof errors.JWSSignatureVerificationFailed) {
      return failure('invalid_token', 'the token signature does not verify');
    }
    if (e instanceof errors.JOSEAlgNotAllowed)
      return failure('invalid_token', 'the token is signed with an algorithm certdocs does not accept');
    if (
      e instanceof errors.JWKSTimeout ||
      e instanceof TypeError ||
      (e instanceof errors.JOSEError && /JSON Web Key Set/.test(e.message))
    ) {
      this.logger.warn("cannot fetch the issuer's keys", { error: (e as Error).message });
      return failure('unavailable', "the issuer's keys could not be fetched");
    }
    if (e instanceof errors.JOSEError) return failure('invalid_token', 'the token is malformed');
    throw e;
  }

  private remember(key: string, identity: AccessIdentity, until: number): void {
    const max = this.options.cacheSize ?? 10_000;
    if (this.cache.size >= max) {
      // Oldest first (insertion order): expired or not, the least recent go.
      for (const k of this.cache.keys()) {
        this.cache.delete(k);
        if (this.cache.size < max * 0.9) break;
      }
    }
    this.cache.set(key, { identity, until });
  }

  private async discover(): Promise<IssuerMetadata> {
    const issuer = this.options.issuer;
    const problems: string[] = [];
    for (const url of metadataUrls(issuer)) {
      try {
        const res = await this.fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) {
          problems.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        const m = (await res.json()) as IssuerMetadata;
        // RFC 8414 §3.3: metadata naming another issuer must not be used (it could come from an impostor).
        if (m.issuer !== issuer) {
          throw new AccessSettingError(
            'oauthIssuer',
            `${url} names the issuer "${m.issuer}", not "${issuer}"`,
          );
        }
        return m;
      } catch (e) {
        if (e instanceof AccessSettingError) throw e;
        problems.push(`${url}: ${(e as Error).message}`);
      }
    }
    throw new AccessSettingError('oauthIssuer', `cannot read the issuer's metadata (${problems.join('; ')})`);
  }
}

type Verified = { identity: AccessIdentity; until: number } | { failure: AccessFailure };

function refuse(code: AccessFailure['code'], description: string): AccessDecision {
  return { ok: false, failure: failure(code, description) };
}

function failure(code: AccessFailure['code'], description: string): AccessFailure {
  return { code, description };
}

function isJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/** `scope` (RFC 9068, space-separated) or `scp` (Entra ID, Okta: a list or a string). */
function identityOf(payload: JWTPayload): AccessIdentity {
  const raw = payload.scope ?? payload.scp;
  const scopes = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.split(' ').filter(Boolean)
      : [];
  const subject = String(payload.sub ?? payload.client_id ?? payload.azp ?? 'unknown');
  return { subject, scopes };
}

/** RFC 8414 §3.1 (well-known inserted before the issuer's path), then OpenID Connect Discovery. */
export function metadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, '');
  return [
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
    `${u.origin}${path}/.well-known/openid-configuration`,
  ];
}
