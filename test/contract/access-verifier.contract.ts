import { describe, expect, it } from 'vitest';
import type { AccessDecision, AccessVerifier } from '../../src/ports/access-verifier.js';
import { freshEach } from './fresh-each.js';

export interface MadeVerifier {
  readonly verifier: AccessVerifier;
  /** Two tokens the verifier accepts, for two different callers. */
  readonly valid: readonly [string, string];
  /** A token it must refuse (well-formed, but not one of its own). */
  readonly foreign: string;
  /** A token that is valid but lacks a required scope, where the verifier knows scopes. */
  readonly lackingScope?: string;
  cleanup(): Promise<void>;
}

const failureOf = (d: AccessDecision) => (d.ok ? undefined : d.failure);

/**
 * What the HTTP edge relies on from every AccessVerifier: no header is `missing` (a plain 401),
 * anything else wrong is `invalid_token`, a valid token yields a stable identity per caller, a
 * missing scope is `insufficient_scope` naming the scopes, and no answer ever repeats the token.
 */
export function runAccessVerifierContract(label: string, makeVerifier: () => Promise<MadeVerifier>): void {
  describe(`AccessVerifier contract: ${label}`, () => {
    const make = freshEach<MadeVerifier>();
    const fresh = () => make(makeVerifier);

    it('calls a request without Authorization header "missing"', async () => {
      const { verifier } = await fresh();
      expect(failureOf(await verifier.verify(undefined))?.code).toBe('missing');
      expect(failureOf(await verifier.verify(''))?.code).toBe('missing');
    });

    it('refuses other schemes and malformed bearer headers as invalid_token', async () => {
      const { verifier, valid } = await fresh();
      for (const header of [`Basic ${valid[0]}`, 'Bearer', 'Bearer a b', valid[0]]) {
        const failure = failureOf(await verifier.verify(header));
        expect(failure?.code, header).toBe('invalid_token');
      }
    });

    it('accepts a valid token, with the bearer scheme in any case', async () => {
      const { verifier, valid } = await fresh();
      const a = await verifier.verify(`Bearer ${valid[0]}`);
      const b = await verifier.verify(`bearer ${valid[0]}`);
      expect(a.ok && b.ok).toBe(true);
      if (a.ok && b.ok) {
        expect(a.identity.subject).not.toBe('');
        expect(b.identity.subject).toBe(a.identity.subject);
      }
    });

    it('tells two callers apart (sessions are bound to the subject)', async () => {
      const { verifier, valid } = await fresh();
      const a = await verifier.verify(`Bearer ${valid[0]}`);
      const b = await verifier.verify(`Bearer ${valid[1]}`);
      expect(a.ok && b.ok && a.identity.subject !== b.identity.subject).toBe(true);
    });

    it('refuses a token that is not its own as invalid_token, without repeating it', async () => {
      const { verifier, foreign } = await fresh();
      const failure = failureOf(await verifier.verify(`Bearer ${foreign}`));
      expect(failure?.code).toBe('invalid_token');
      expect(failure?.description).not.toContain(foreign);
      expect(failure?.description.length).toBeGreaterThan(5);
    });

    it('refuses a valid token without the required scope as insufficient_scope', async ({ skip }) => {
      const { verifier, lackingScope } = await fresh();
      if (!lackingScope) return skip();
      const failure = failureOf(await verifier.verify(`Bearer ${lackingScope}`));
      expect(failure?.code).toBe('insufficient_scope');
      expect(failure?.requiredScopes?.length).toBeGreaterThan(0);
      expect(failure?.description).not.toContain(lackingScope);
    });

    it('gives the same answer when asked again (a cache must not change it)', async () => {
      const { verifier, valid, foreign } = await fresh();
      for (let i = 0; i < 3; i++) {
        expect((await verifier.verify(`Bearer ${valid[0]}`)).ok).toBe(true);
        expect((await verifier.verify(`Bearer ${foreign}`)).ok).toBe(false);
      }
    });
  });
}
