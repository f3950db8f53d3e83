import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AcmeError } from '../../src/domain/acme-errors.js';
import type {
  AccountRequest,
  AcmeAuthorization,
  AcmeClient,
  AcmeOrder,
} from '../../src/ports/acme-client.js';
import type { CertificateCrypto } from '../../src/ports/certificate-crypto.js';
import type { ChallengeResponder } from '../../src/ports/challenge-responder.js';
import { name as domainName } from '../fakes/domain-names.js';

export interface AcmeSubject {
  /** A fresh client with no account yet. */
  readonly client: AcmeClient;
  /** Makes keys and CSRs the CA accepts, and reads what it issues. */
  readonly crypto: CertificateCrypto;
  /** Where the CA looks for HTTP-01 answers. */
  readonly responder: ChallengeResponder;
}

/** A name no earlier test has ordered, under a suffix the CA under test accepts. */
/** The AcmeError a promise rejects with (the test fails if it resolves or rejects otherwise). */
export async function failure(p: Promise<unknown>): Promise<AcmeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AcmeError);
  return e as AcmeError;
}

export function freshDomain(): string {
  return `t${randomBytes(5).toString('hex')}.certdocs.example.com`;
}

export function accountRequest(
  crypto: CertificateCrypto,
  more: Partial<AccountRequest> = {},
): AccountRequest {
  return { newKeyPem: () => crypto.newKey(), termsOfServiceAgreed: true, ...more };
}

export function http01(authz: AcmeAuthorization) {
  const challenge = authz.challenges.find((c) => c.type === 'http-01');
  if (!challenge) throw new Error(`no http-01 challenge for ${authz.domain}`);
  return challenge;
}

/** The whole happy path, for suites that only care that issuance works; `account` false: already set. */
export async function issue(
  s: AcmeSubject,
  domain: string,
  account: AccountRequest | false = accountRequest(s.crypto),
): Promise<{ chain: string; keyPem: string; order: AcmeOrder }> {
  if (account) await s.client.useAccount(account);
  const order = await s.client.newOrder({ domains: [domainName(domain)] });
  for (const authz of order.authorizations) {
    const challenge = http01(authz);
    await s.responder.present(challenge.token, challenge.keyAuthorization);
    await s.client.acceptChallenge(challenge);
    await s.client.waitForAuthorization(authz);
    await s.responder.remove(challenge.token);
  }
  const keyPem = await s.crypto.newKey();
  const chain = await s.client.finalize(order, await s.crypto.createCsr([domain], keyPem));
  return { chain, keyPem, order };
}

/**
 * What every AcmeClient promises the domain (RFC 8555 as certdocs uses it). Run against the fake
 * CA and the real adapter talking to Pebble, so the use-case tests built on the fake stay honest.
 */
export function runAcmeClientContract(name: string, makeSubject: () => Promise<AcmeSubject>): void {
  describe(`AcmeClient contract: ${name}`, () => {
    it('reads the directory: terms of service and whether EAB is required', async () => {
      const { client } = await makeSubject();
      const dir = await client.directory();
      expect(typeof dir.termsOfService).toBe('string');
      expect(dir.externalAccountRequired).toBe(false);
      expect(typeof dir.profiles).toBe('object');
    });

    it('registers an account with a new key and returns its key and URL', async () => {
      const { client, crypto } = await makeSubject();
      let keyPem: string | undefined;
      const account = await client.useAccount(
        accountRequest(crypto, {
          newKeyPem: async () => {
            keyPem = await crypto.newKey();
            return keyPem;
          },
        }),
      );
      expect(keyPem).toBeDefined();
      expect(account.keyPem).toBe(keyPem);
      expect(account.url).toMatch(/^https:\/\/\S+$/);
    });

    it('reuses a stored account: same URL, no new key, and it can order', async () => {
      const first = await makeSubject();
      const stored = await first.client.useAccount(accountRequest(first.crypto));

      const again = await makeSubject();
      const account = await again.client.useAccount(
        accountRequest(again.crypto, {
          stored,
          newKeyPem: () => Promise.reject(new Error('a stored account needs no new key')),
        }),
      );
      expect(account).toEqual(stored);
      const order = await again.client.newOrder({ domains: [domainName(freshDomain())] });
      expect(order.authorizations).toHaveLength(1);
    });

    it('orders one domain: one authorization with an http-01 challenge', async () => {
      const { client, crypto } = await makeSubject();
      await client.useAccount(accountRequest(crypto));
      const domain = freshDomain();
      const order = await client.newOrder({ domains: [domainName(domain)] });
      expect(order.url).toMatch(/\S/);
      expect(order.authorizations).toHaveLength(1);
      const [authz] = order.authorizations as [AcmeAuthorization];
      expect(authz.domain).toBe(domain);
      expect(authz.status).toBe('pending');
      const challenge = http01(authz);
      expect(challenge.token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(challenge.keyAuthorization.startsWith(`${challenge.token}.`)).toBe(true);
      expect(challenge.keyAuthorization.length).toBeGreaterThan(challenge.token.length + 1);
    });

    it('validates a presented challenge and issues a certificate for the CSR key', async () => {
      const subject = await makeSubject();
      const domain = freshDomain();
      const { chain, keyPem } = await issue(subject, domain);
      const info = subject.crypto.inspect({ certPem: chain, keyPem });
      expect(info?.names).toContain(domain);
      expect(info?.keyMatches).toBe(true);
      expect(info && info.notAfter > info.notBefore).toBe(true);
    });

    it('rejects with acme.challenge_failed and the problem type when the answer is missing', async () => {
      const { client, crypto } = await makeSubject();
      await client.useAccount(accountRequest(crypto));
      const order = await client.newOrder({ domains: [domainName(freshDomain())] });
      const authz = order.authorizations[0] as AcmeAuthorization;
      await client.acceptChallenge(http01(authz));
      const error = await client.waitForAuthorization(authz).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AcmeError);
      expect(error).toMatchObject({ code: 'acme.challenge_failed' });
      expect((error as AcmeError).problemType).toMatch(/^urn:ietf:params:acme:error:/);
    });
  });
}
