import {
  type AccessDecision,
  type AccessIdentity,
  type AccessVerifier,
  bearerToken,
} from '../../src/ports/access-verifier.js';

/**
 * Accepts the tokens it is told about, each with its identity; the HTTP edge's unit tests use it
 * to get a 401, a 403 or an identity on demand without files or an authorization server.
 */
export class FakeAccessVerifier implements AccessVerifier {
  private readonly tokens = new Map<string, AccessIdentity>();
  calls = 0;

  constructor(private readonly requiredScopes: readonly string[] = []) {}

  /** `token` is accepted from now on, for `subject` with `scopes`. */
  accept(token: string, subject: string, scopes: readonly string[] = this.requiredScopes): this {
    this.tokens.set(token, { subject, scopes });
    return this;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  async verify(authorization: string | undefined): Promise<AccessDecision> {
    this.calls++;
    if (!authorization?.trim())
      return { ok: false, failure: { code: 'missing', description: 'no bearer token' } };
    const token = bearerToken(authorization);
    const identity = token === undefined ? undefined : this.tokens.get(token);
    if (!identity) {
      return { ok: false, failure: { code: 'invalid_token', description: 'the token is not accepted' } };
    }
    const missing = this.requiredScopes.filter((s) => !identity.scopes.includes(s));
    if (missing.length) {
      return {
        ok: false,
        failure: {
          code: 'insufficient_scope',
          description: `the token lacks the scope ${missing.join(', ')}`,
          requiredScopes: this.requiredScopes,
        },
      };
    }
    return { ok: true, identity };
  }
}
