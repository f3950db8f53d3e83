import { describe, expect, it } from 'vitest';
import { AcmeError } from '../../src/domain/acme-errors.js';
import { StoreKeyError } from '../../src/domain/errors.js';
import { ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import type { ObtainSettings } from '../../src/ports/settings.js';
import { names } from '../fakes/domain-names.js';
import { FakeCa } from '../fakes/fake-ca.js';
import { FakeCertificateCrypto } from '../fakes/fake-certificate-crypto.js';
import { days, FakeClock, hours, minutes, seconds } from '../fakes/fake-clock.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { InMemoryTlsAlpnResponder } from '../fakes/in-memory-tls-alpn-responder.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { testObtainSettings } from '../fakes/settings.js';

const DIR = 'https://ca.example/dir';

function makeSut(overrides: Partial<ObtainSettings> = {}, shared?: { store: InMemoryCertStore }) {
  const clock = new FakeClock();
  const responder = new InMemoryChallengeResponder();
  const tlsAlpn = new InMemoryTlsAlpnResponder();
  const ca = new FakeCa(clock, responder, tlsAlpn);
  const store = shared?.store ?? new InMemoryCertStore();
  const crypto = new FakeCertificateCrypto();
  const logger = new MemoryLogger();
  const settings = testObtainSettings({ directoryUrl: DIR, ...overrides });
  const sut = new ObtainCertificate(ca, responder, store, crypto, clock, logger, settings, tlsAlpn);
  return { sut, clock, ca, store, responder, logger, tlsAlpn };
}

describe('ObtainCertificate', () => {
  it('issues, stores and returns a certificate for every configured domain', async () => {
    const { sut, store, ca, responder } = makeSut({ domains: names('docs.example.com', 'www.example.com') });
    const got = await sut.ensure();
    expect(got.reused).toBe(false);
    expect(got.info.names).toEqual(['docs.example.com', 'www.example.com']);
    expect(got.info.keyMatches).toBe(true);
    expect(store.certs.get('docs.example.com')).toEqual(got.cert);
    expect(ca.orders).toHaveLength(1);
    expect(responder.presented).toBe(0); // challenge answers are cleaned up
  });

  it('removes every challenge answer when one authorization fails while another is still presenting', async () => {
    const { sut, ca, responder } = makeSut({ domains: names('a.example.com', 'b.example.com') });
    ca.failNextChallenge();
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const present = responder.present.bind(responder);
    let calls = 0;
    responder.present = async (token, keyAuthorization) => {
      if (calls++ === 1) await gate; // the second domain's answer is still being put in place
      return present(token, keyAuthorization);
    };
    const outcome = sut.issue().then(
      () => 'issued',
      (e: unknown) => e,
    );
    for (let i = 0; i < 50; i++) await Promise.resolve(); // the first authorization fails meanwhile
    release();
    expect(await outcome).toBeInstanceOf(AcmeError);
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(responder.presented).toBe(0);
  });

  it('reuses a sound stored certificate without contacting the CA', async () => {
    const { sut, ca } = makeSut();
    await sut.ensure();
    const callsAfterFirst = ca.calls;
    const again = await sut.ensure();
    expect(again.reused).toBe(true);
    expect(ca.calls).toBe(callsAfterFirst);
  });

  it('reuses the account across runs (a second process sharing the store registers nothing)', async () => {
    const first = makeSut();
    await first.sut.issue();
    expect(first.ca.registrations).toBe(1);
    const second = makeSut({}, { store: first.store });
    await second.sut.issue();
    expect(second.ca.registrations).toBe(0);
    expect(second.ca.accountRequests[0]?.stored?.url).toBe('https://ca.example/acct/1');
  });

  it('renews an expired certificate', async () => {
    const { sut, clock, ca } = makeSut();
    await sut.ensure();
    await clock.advance(days(91));
    const got = await sut.ensure();
    expect(got.reused).toBe(false);
    expect(ca.orders).toHaveLength(2);
  });

  it('serves a certificate inside its renewal window but reports the renewal as due', async () => {
    const { sut, clock, ca } = makeSut();
    await sut.ensure();
    await clock.advance(days(61)); // 90-day cert: renew with 30 days left
    const got = await sut.ensure();
    expect(got.reused).toBe(true);
    expect(got.renewalDue).toBe(true);
    expect(ca.orders).toHaveLength(1);
  });

  it('replaces a certificate that does not cover every configured domain', async () => {
    const { sut, store, ca } = makeSut({ domains: names('docs.example.com', 'api.example.com') });
    store.certs.set('docs.example.com', {
      certPem: ca.issueDirect(['docs.example.com'], 'k1'),
      keyPem: 'k1',
    });
    const got = await sut.ensure();
    expect(got.reused).toBe(false);
    expect(got.info.names).toContain('api.example.com');
  });

  it('replaces corrupted files: an unparsable certificate or a key that does not match', async () => {
    const { sut, store, ca } = makeSut();
    store.certs.set('docs.example.com', { certPem: '-----BEGIN CERTIFICATE-----\ngarbage', keyPem: 'k' });
    expect((await sut.stored()).problem).toBe('unparsable');
    await sut.ensure();
    expect(ca.orders).toHaveLength(1);

    store.corrupt('docs.example.com', { keyPem: 'some other key' });
    expect((await sut.stored()).problem).toBe('key_mismatch');
    const got = await sut.ensure();
    expect(got.reused).toBe(false);
    expect(ca.orders).toHaveLength(2);
  });

  it('retries a failed challenge with exponential backoff, logging the problem type', async () => {
    const { sut, clock, ca, logger } = makeSut();
    ca.failNextChallenge(2);
    let done = false;
    const result = sut.ensure().then((r) => {
      done = true;
      return r;
    });
    await clock.advance(seconds(59));
    expect(done).toBe(false);
    expect(ca.orders).toHaveLength(1);
    await clock.advance(seconds(1)); // 1 min after the first failure
    expect(ca.orders).toHaveLength(2);
    await clock.advance(minutes(2) - 1);
    expect(done).toBe(false);
    await clock.advance(1); // 2 min after the second failure
    expect((await result).info.names).toEqual(['docs.example.com']);
    expect(ca.orders).toHaveLength(3);
    const warn = logger.lines.find((l) => l.msg.includes('will retry'));
    expect(warn?.fields).toMatchObject({
      code: 'acme.challenge_failed',
      problemType: 'urn:ietf:params:acme:error:connection',
    });
  });

  it('waits out a rate limit for as long as Retry-After says, never less', async () => {
    const { sut, clock, ca } = makeSut();
    ca.rateLimitNext(hours(3));
    const result = sut.ensure();
    await clock.advance(hours(3) - seconds(1));
    expect(ca.orders).toHaveLength(0);
    await clock.advance(seconds(1));
    await result;
    expect(ca.orders).toHaveLength(1);
  });

  it('keeps trying while the CA is unreachable, with growing delays', async () => {
    const { sut, clock, ca } = makeSut();
    ca.unreachableNext(3);
    const result = sut.ensure();
    await clock.advance(minutes(1) + minutes(2) + minutes(4));
    await result;
    expect(ca.orders).toHaveLength(1);
  });

  it('refuses to create an account without --accept-tos, naming the terms', async () => {
    const { sut, ca } = makeSut({ acceptTos: false });
    const err = await sut.ensure().catch((e) => e);
    expect(err).toBeInstanceOf(AcmeError);
    expect(err.code).toBe('acme.tos_required');
    expect(err.setting).toBe('terms');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(ca.termsOfService);
    expect(ca.registrations).toBe(0);
  });

  it('fails at once on a profile the CA does not offer', async () => {
    const { sut, ca } = makeSut({ profile: 'shortlived' });
    ca.profiles = { classic: '90 days' };
    const err = await sut.ensure().catch((e) => e);
    expect(err.code).toBe('acme.config');
    expect(err.setting).toBe('profile');
    expect(err.message).toContain('classic');
  });

  it('asks for a profile the CA offers', async () => {
    const { sut, ca } = makeSut({ profile: 'tlsserver' });
    ca.profiles = { classic: '90 days', tlsserver: '45 days' };
    await sut.ensure();
    expect(ca.orders[0]?.profile).toBe('tlsserver');
  });

  it('sends the EAB credentials when the CA requires them, and fails clearly without', async () => {
    const without = makeSut();
    without.ca.externalAccountRequired = true;
    const missing = await without.sut.ensure().catch((e) => e);
    expect(missing.code).toBe('acme.eab_required');
    expect(missing.setting).toBe('eab');

    const withEab = makeSut({ eab: { kid: 'kid-1', hmacKey: 'c2VjcmV0' } });
    withEab.ca.externalAccountRequired = true;
    await withEab.sut.ensure();
    expect(withEab.ca.accountRequests[0]?.eab).toEqual({ kid: 'kid-1', hmacKey: 'c2VjcmV0' });
  });

  it('stops retrying when aborted', async () => {
    const { sut, clock, ca } = makeSut();
    ca.unreachableNext(100);
    const abort = new AbortController();
    const result = sut.ensure(abort.signal).catch((e) => e);
    await clock.advance(seconds(1));
    abort.abort(new Error('shutting down'));
    await clock.advance(seconds(1));
    expect(((await result) as Error).message).toBe('shutting down');
  });

  it('stops at once, ordering nothing, when the store cannot open its keys (a wrong --store-key)', async () => {
    const { sut, ca, store } = makeSut();
    store.loadAccount = async () => {
      throw new StoreKeyError('wrong_key', 'the private keys do not open');
    };
    const err = await sut.ensure().catch((e) => e);
    expect(err).toBeInstanceOf(StoreKeyError);
    expect(ca.orders).toHaveLength(0);
  });

  it('answers TLS-ALPN-01 when it is preferred and offered, and cleans up after', async () => {
    const { sut, ca, tlsAlpn, responder } = makeSut({ challenges: ['tls-alpn-01', 'http-01'] });
    ca.offered = ['http-01', 'tls-alpn-01'];
    await sut.ensure();
    expect(ca.validated).toEqual(['tls-alpn-01']);
    expect(tlsAlpn.answer('docs.example.com')).toBeUndefined();
    expect(responder.presented).toBe(0);
  });

  it('falls back to the next preferred type the CA offers', async () => {
    const { sut, ca } = makeSut({ challenges: ['tls-alpn-01', 'http-01'] });
    ca.offered = ['http-01'];
    await sut.ensure();
    expect(ca.validated).toEqual(['http-01']);
  });

  it('fails clearly when the CA offers none of the configured types', async () => {
    const { sut, ca } = makeSut({ challenges: ['tls-alpn-01'] });
    ca.offered = ['http-01'];
    const err = await sut.issue().catch((e) => e);
    expect(err.code).toBe('acme.config');
    expect(err.setting).toBe('challenges');
    expect(err.message).toContain('tls-alpn-01');
  });

  it('registers again when the CA no longer knows the stored account', async () => {
    const { sut, ca, store } = makeSut();
    await sut.issue();
    ca.forgetAccounts();
    await sut.issue();
    expect(ca.registrations).toBe(2);
    expect(store.accounts.get(DIR)?.url).toBe('https://ca.example/acct/2');
  });

  it('treats a refused account (e.g. a wrong EAB key) as a configuration error, not a retry loop', () => {
    const err = AcmeError.fromProblem({
      type: 'urn:ietf:params:acme:error:unauthorized',
      detail: 'bad HMAC',
      status: 403,
    });
    expect(err.code).toBe('acme.unauthorized');
    expect(err.retryable).toBe(false);
  });
});
