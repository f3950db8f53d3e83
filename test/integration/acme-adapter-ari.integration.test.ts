/**
 * The real AcmeClientAdapter (acme-client 5.4 on the wire) against an in-process fake ACME server,
 * for what Pebble 2.4 cannot test: profiles, ARI (RFC 9773) and `replaces`, plus rate limits and
 * EAB. The domain (ObtainCertificate, RenewalScheduler) runs on a FakeClock; the adapter polls on
 * the system clock.
 */

import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AcmeClientAdapter } from '../../src/adapters/acme-client/acme-client-adapter.js';
import { FsCertStore } from '../../src/adapters/filesystem/fs-cert-store.js';
import { NodeCertificateCrypto } from '../../src/adapters/node-crypto/node-certificate-crypto.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import { ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import { RenewalScheduler } from '../../src/domain/renewal-scheduler.js';
import type { ObtainSettings } from '../../src/ports/settings.js';
import { failure } from '../contract/acme-client.contract.js';
import { names } from '../fakes/domain-names.js';
import { FakeClock, hours, minutes } from '../fakes/fake-clock.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { FakeAcmeServer } from './fake-acme-server.js';

const DOMAINS = names('docs.example.test', 'www.docs.example.test');
const ERR = 'urn:ietf:params:acme:error:';
const crypto = new NodeCertificateCrypto();
const responder = new InMemoryChallengeResponder();
const http01 = (token: string) => responder.answer(token);
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh adapter, store and use case on `server`, as the app wires them. */
async function world(server: FakeAcmeServer, settings: Partial<ObtainSettings> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'certdocs-ari-'));
  dirs.push(dir);
  const clock = new FakeClock(new Date());
  const logger = new MemoryLogger();
  const adapter = new AcmeClientAdapter(
    { directoryUrl: server.directoryUrl, pollTimeoutMs: 10_000 },
    new SystemClock(),
  );
  const obtain = new ObtainCertificate(
    adapter,
    responder,
    new FsCertStore(dir, logger),
    crypto,
    clock,
    logger,
    {
      domains: DOMAINS,
      challenges: ['http-01'],
      directoryUrl: server.directoryUrl,
      acceptTos: true,
      ...settings,
    },
  );
  const installed: StoredCertificate[] = [];
  const scheduler = new RenewalScheduler(
    obtain,
    { install: (c) => installed.push(c) },
    clock,
    logger,
    () => 0.25,
  );
  return { adapter, obtain, clock, logger, scheduler, installed, dir };
}

const account = (more: { eab?: { kid: string; hmacKey: string } } = {}) => ({
  newKeyPem: () => crypto.newKey(),
  termsOfServiceAgreed: true,
  ...more,
});

const newOrders = (s: FakeAcmeServer) =>
  s.requests.filter((r) => r.startsWith('POST /acme/new-order')).length;

describe('AcmeClientAdapter against a fake ACME server: profiles, ARI, replaces, rate limits', () => {
  let server: FakeAcmeServer;
  beforeAll(async () => {
    server = await FakeAcmeServer.start({ http01 });
  });
  afterAll(() => server?.close());

  it('reads profiles, renewalInfo and the terms from the directory', async () => {
    const { adapter } = await world(server);
    const dir = await adapter.directory();
    expect(dir.profiles).toEqual({ classic: '90-day certificates', shortlived: '6-day certificates' });
    expect(dir.renewalInfo).toBe(server.renewalInfoUrl);
    expect(dir.termsOfService).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/terms$/);
    expect(dir.externalAccountRequired).toBe(false);
  });

  it('issues end to end with profile "shortlived" on the wire; the ARI id matches the CA’s', async () => {
    const { obtain, dir } = await world(server, { profile: 'shortlived' });
    // Two issuances: the CA alternates serials with the high bit set (DER adds 0x00) and without.
    for (let i = 0; i < 2; i++) {
      const { cert, info } = await obtain.issue();
      const order = server.orderRequests.at(-1);
      expect(order).toMatchObject({ status: 201, payload: { profile: 'shortlived' } });
      expect(order?.payload).not.toHaveProperty('replaces');
      expect([...info.names].sort()).toEqual([...DOMAINS].sort());
      expect(info.keyMatches).toBe(true);
      expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(6 * 86_400_000);
      const issued = server.certificates.at(-1);
      expect(info.ariId).toBe(issued?.ariId);
      expect(cert.certPem.startsWith(issued?.pem ?? '-')).toBe(true);
      expect(await new FsCertStore(dir).load(DOMAINS[0])).toEqual(cert);
    }
    const [a, b] = server.certificates.slice(-2).map((c) => c.ariId.split('.')[1] ?? '');
    expect(new Set([Buffer.from(a ?? '', 'base64url')[0], Buffer.from(b ?? '', 'base64url')[0]]).has(0)).toBe(
      true,
    );
  });

  it('refuses an unknown profile before ordering; sent anyway, the CA’s invalidProfile surfaces', async () => {
    const { obtain, adapter } = await world(server, { profile: 'bogus' });
    const before = newOrders(server);
    const e = await failure(obtain.issueWithRetry());
    expect(e.code).toBe('acme.config');
    expect(e.message).toContain('classic, shortlived');
    expect(newOrders(server)).toBe(before);

    await adapter.useAccount(account());
    const sent = await failure(adapter.newOrder({ domains: DOMAINS, profile: 'bogus' }));
    expect(sent).toMatchObject({
      code: 'acme.invalid_profile',
      problemType: `${ERR}invalidProfile`,
      status: 400,
    });
    expect(sent.retryable).toBe(false);
    expect(server.orderRequests.at(-1)).toMatchObject({ status: 400, payload: { profile: 'bogus' } });
  });

  it('reads the ARI window, plans inside it and renews with "replaces" on the wire', async () => {
    const { obtain, adapter, clock, scheduler, installed, logger } = await world(server);
    const active = await obtain.ensure();
    const ariId = active.info.ariId as string;
    expect(ariId).toBe(server.certificates.at(-1)?.ariId);
    const start = new Date(clock.now().getTime() + hours(1));
    const end = new Date(clock.now().getTime() + hours(3));
    server.setWindow(ariId, start, end);

    const window = await adapter.renewalInfo(ariId);
    expect(window).toEqual({
      start,
      end,
      retryAfterMs: 21_600_000,
      explanationUrl: expect.stringMatching(/\/why\//),
    });

    await scheduler.start(active);
    expect(scheduler.status()).toMatchObject({
      renewalSource: 'ari',
      ariWindow: { start: start.toISOString(), end: end.toISOString() },
      renewAt: new Date(start.getTime() + minutes(30)).toISOString(),
    });
    expect(logger.has('info', 'renewal planned from the CA (ARI)')).toBe(true);

    await clock.advance(minutes(89));
    expect(installed).toHaveLength(0);
    await clock.advance(minutes(1));
    await vi.waitFor(() => expect(installed).toHaveLength(1), { timeout: 10_000 });
    expect(server.orderRequests.at(-1)).toMatchObject({ status: 201, payload: { replaces: ariId } });
    expect(server.certificate(ariId)?.replacedBy).toBe(server.certificates.at(-1)?.ariId);
    const renewed = crypto.inspect(installed[0] as StoredCertificate);
    expect(renewed?.ariId).toBe(server.certificates.at(-1)?.ariId);
    // The new certificate's window is asked for next.
    await vi.waitFor(() =>
      expect(server.requests).toContain(`GET /acme/renewal-info/${renewed?.ariId} -> 200`),
    );
    scheduler.stop();
  });

  it('orders once more without "replaces" when the CA says alreadyReplaced', async () => {
    const { obtain, clock, scheduler, installed, logger } = await world(server);
    const active = await obtain.ensure();
    const ariId = active.info.ariId as string;
    server.setWindow(
      ariId,
      new Date(clock.now().getTime() + hours(240)),
      new Date(clock.now().getTime() + hours(260)),
    );
    await scheduler.start(active);
    server.rejectReplacesNext();
    const next = await scheduler.renewNow();
    expect(installed).toEqual([next.cert]);
    expect(server.orderRequests.slice(-2)).toEqual([
      { status: 409, payload: expect.objectContaining({ replaces: ariId }) },
      { status: 201, payload: expect.not.objectContaining({ replaces: expect.anything() }) },
    ]);
    expect(logger.has('warn', 'the CA rejected "replaces"')).toBe(true);
    await vi.waitFor(() =>
      expect(server.requests).toContain(`GET /acme/renewal-info/${next.info.ariId} -> 200`),
    );
    scheduler.stop();
  });

  it('finds the registered account again for a stored key without URL', async () => {
    const keyPem = await crypto.newKey();
    const first = await (await world(server)).adapter.useAccount({ ...account(), stored: { keyPem } });
    const again = await (await world(server)).adapter.useAccount({ ...account(), stored: { keyPem } });
    expect(again).toEqual(first);
    // 200 from newAccount: acme-client then POSTs to the account URL it was given (signed with
    // the Replay-Nonce of the newAccount answer: no HEAD newNonce in between).
    expect(server.requests.slice(-2)).toEqual([
      'POST /acme/new-account -> 200',
      `POST ${new URL(first.url as string).pathname} -> 200`,
    ]);
  });

  it('rejects with acme.challenge_failed when the CA finds no http-01 answer', async () => {
    const { adapter } = await world(server);
    await adapter.useAccount(account());
    const order = await adapter.newOrder({ domains: DOMAINS.slice(0, 1) });
    const authz = order.authorizations[0];
    const challenge = authz?.challenges.find((c) => c.type === 'http-01');
    if (!authz || !challenge) throw new Error('no http-01 challenge');
    await adapter.acceptChallenge(challenge);
    const e = await failure(adapter.waitForAuthorization(authz));
    expect(e).toMatchObject({ code: 'acme.challenge_failed', problemType: `${ERR}incorrectResponse` });
    expect(e.message).toContain(DOMAINS[0]);
  });

  it('reports an unknown ARI id as a failed request, not a window', async () => {
    const { adapter } = await world(server);
    const e = await failure(adapter.renewalInfo('AAAA.AQ'));
    expect(e).toMatchObject({ status: 404, problemType: `${ERR}malformed` });
  });

  it('turns 429 rateLimited + Retry-After: 7 into acme.rate_limited with 7000 ms, without retrying', async () => {
    const { adapter } = await world(server);
    await adapter.useAccount(account());
    server.rateLimitNext();
    const before = newOrders(server);
    const started = Date.now();
    const e = await failure(adapter.newOrder({ domains: DOMAINS }));
    expect(e).toMatchObject({
      code: 'acme.rate_limited',
      problemType: `${ERR}rateLimited`,
      status: 429,
      retryAfterMs: 7000,
    });
    expect(e.retryable).toBe(true);
    expect(newOrders(server)).toBe(before + 1);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ObtainCertificate waits the CA’s Retry-After before ordering again', async () => {
    const { obtain, clock, logger } = await world(server, {
      backoff: { initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0 },
    });
    server.rateLimitNext();
    const before = newOrders(server);
    const done = obtain.issueWithRetry();
    await vi.waitFor(() => expect(logger.has('warn', 'certificate order failed')).toBe(true));
    const warn = logger.lines.find((l) => l.msg.includes('certificate order failed'));
    expect(warn?.fields).toMatchObject({ code: 'acme.rate_limited', retryAfterMs: 7000 });
    await clock.advance(6999);
    expect(newOrders(server)).toBe(before + 1);
    await clock.advance(1);
    const { info } = await done;
    expect(newOrders(server)).toBe(before + 2);
    expect(info.ariId).toBe(server.certificates.at(-1)?.ariId);
  });

  it('surfaces accountDoesNotExist for a stored account the CA does not know', async () => {
    const { adapter } = await world(server);
    await adapter.useAccount({
      ...account(),
      stored: {
        keyPem: await crypto.newKey(),
        url: `${server.directoryUrl.replace('/dir', '')}/acme/acct/999`,
      },
    });
    const e = await failure(adapter.newOrder({ domains: DOMAINS }));
    expect(e).toMatchObject({ problemType: `${ERR}accountDoesNotExist`, status: 400 });
    console.info(`accountDoesNotExist -> code=${e.code} retryable=${e.retryable}`);
  });

  it('answers a badly formed or badly signed JWS with 400 malformed', async () => {
    const url = server.directoryUrl.replace('/dir', '/acme/new-account');
    const post = async (body: string) => {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/jose+json' },
      });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
    };
    expect(await post('not json')).toMatchObject({
      status: 400,
      type: 'application/problem+json',
      body: { type: `${ERR}malformed` },
    });

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const nonce = (
      await fetch(server.directoryUrl.replace('/dir', '/acme/new-nonce'), { method: 'HEAD' })
    ).headers.get('replay-nonce');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const protectedHeader = b64({ alg: 'ES256', nonce, url, jwk: other }); // signed by another key
    const payload = b64({ termsOfServiceAgreed: true });
    const signature = sign('sha256', Buffer.from(`${protectedHeader}.${payload}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    expect(createPublicKey(privateKey).export({ format: 'jwk' }).x).not.toBe(other.x);
    expect(await post(JSON.stringify({ protected: protectedHeader, payload, signature }))).toMatchObject({
      status: 400,
      body: { type: `${ERR}malformed`, detail: 'JWS signature is invalid' },
    });
  });
});

describe('AcmeClientAdapter against a fake ACME server requiring External Account Binding', () => {
  const eab = {
    kid: 'kid-1',
    hmacKey: Buffer.from('certdocs test EAB key, 32 bytes!').toString('base64url'),
  };
  let server: FakeAcmeServer;
  beforeAll(async () => {
    server = await FakeAcmeServer.start({ http01, eab });
  });
  afterAll(() => server?.close());

  it('says EAB is required; ObtainCertificate stops before registering without one', async () => {
    const { adapter, obtain } = await world(server);
    expect((await adapter.directory()).externalAccountRequired).toBe(true);
    const e = await failure(obtain.issueWithRetry());
    expect(e.code).toBe('acme.eab_required');
    expect(server.requests.some((r) => r.includes('new-account'))).toBe(false);
  });

  it('the CA refuses a newAccount without externalAccountBinding: acme.eab_required', async () => {
    const { adapter } = await world(server);
    const e = await failure(adapter.useAccount(account()));
    expect(e).toMatchObject({
      code: 'acme.eab_required',
      problemType: `${ERR}externalAccountRequired`,
      status: 400,
    });
    expect(e.retryable).toBe(false);
  });

  it('the CA refuses a binding made with the wrong HMAC key', async () => {
    const { adapter } = await world(server);
    const wrong = {
      kid: eab.kid,
      hmacKey: Buffer.from('not the key the CA gave out......').toString('base64url'),
    };
    const e = await failure(adapter.useAccount(account({ eab: wrong })));
    expect(e).toMatchObject({ problemType: `${ERR}unauthorized`, status: 403 });
    expect(e.message).toContain('MAC');
    console.info(`wrong EAB MAC (unauthorized) -> code=${e.code} retryable=${e.retryable}`);
  });

  it('registers with a verified binding and issues', async () => {
    const { obtain } = await world(server, { eab });
    const { info } = await obtain.issue();
    expect(server.eabBindings).toEqual([eab.kid]);
    expect(info.ariId).toBe(server.certificates.at(-1)?.ariId);
  });
});
