import { describe, expect, it } from 'vitest';
import { AcmeError } from '../../src/domain/acme-errors.js';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import { ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import { RenewalScheduler } from '../../src/domain/renewal-scheduler.js';
import type { CertificateInstaller } from '../../src/ports/certificate-installer.js';
import { names } from '../fakes/domain-names.js';
import { FakeCa } from '../fakes/fake-ca.js';
import { FakeCertificateCrypto } from '../fakes/fake-certificate-crypto.js';
import { days, FakeClock, hours, minutes } from '../fakes/fake-clock.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { testObtainSettings } from '../fakes/settings.js';

class RecordingInstaller implements CertificateInstaller {
  readonly installed: StoredCertificate[] = [];
  install(cert: StoredCertificate): void {
    this.installed.push(cert);
  }
}

async function makeSut(lifetimeMs = days(90), setup: (ca: FakeCa) => void = () => {}) {
  const clock = new FakeClock();
  const responder = new InMemoryChallengeResponder();
  const ca = new FakeCa(clock, responder);
  ca.lifetimeMs = lifetimeMs;
  setup(ca);
  const store = new InMemoryCertStore();
  const crypto = new FakeCertificateCrypto();
  const logger = new MemoryLogger();
  const obtain = new ObtainCertificate(ca, responder, store, crypto, clock, logger, {
    domains: names('docs.example.com', 'www.example.com'),
    challenges: ['http-01'],
    directoryUrl: 'https://ca.example/dir',
    acceptTos: true,
    backoff: { initialMs: minutes(1), maxMs: hours(6), factor: 2, jitter: 0 },
  });
  const installer = new RecordingInstaller();
  const scheduler = new RenewalScheduler(obtain, installer, clock, logger, () => 0.5);
  const first = await obtain.ensure();
  await scheduler.start(first);
  return { clock, ca, installer, scheduler, first, crypto, logger };
}

describe('RenewalScheduler', () => {
  it('renews a 90-day certificate when a third of its lifetime is left, covering every domain', async () => {
    const { clock, ca, installer, scheduler } = await makeSut();
    await clock.advance(days(60) - minutes(1));
    expect(installer.installed).toHaveLength(0);
    await clock.advance(minutes(2));
    expect(installer.installed).toHaveLength(1);
    expect(ca.orders[1]?.domains).toEqual(['docs.example.com', 'www.example.com']);
    // The next renewal is planned from the new certificate.
    expect(scheduler.status()?.renewAt).toBe(
      new Date(clock.now().getTime() + days(60) - minutes(1)).toISOString(),
    );
    scheduler.stop();
  });

  it('renews a short-lived (6-day) certificate at half its lifetime', async () => {
    const { clock, installer, scheduler } = await makeSut(days(6));
    await clock.advance(days(3) - minutes(1));
    expect(installer.installed).toHaveLength(0);
    await clock.advance(minutes(2));
    expect(installer.installed).toHaveLength(1);
    scheduler.stop();
  });

  it('keeps renewing, unattended, for a year of 90-day certificates', async () => {
    const { clock, installer, scheduler } = await makeSut();
    for (let d = 0; d < 365; d += 5) await clock.advance(days(5));
    expect(installer.installed.length).toBe(6); // every ~60 days
    scheduler.stop();
  });

  it('never arms a timer longer than the check interval (Node timers overflow past 24.8 days)', async () => {
    const { clock, scheduler } = await makeSut(days(5 * 365));
    const armed: number[] = [];
    const original = clock.setTimer.bind(clock);
    clock.setTimer = (ms, fn) => {
      armed.push(ms);
      return original(ms, fn);
    };
    await clock.advance(days(1));
    expect(armed.length).toBeGreaterThan(100);
    expect(Math.max(...armed)).toBeLessThanOrEqual(minutes(10));
    scheduler.stop();
  });

  it('keeps the old certificate in service while a failed renewal backs off, and says when it expires', async () => {
    const { clock, ca, installer, scheduler, logger, first } = await makeSut();
    ca.unreachableNext(2);
    await clock.advance(days(60) + minutes(1));
    expect(installer.installed).toHaveLength(0);
    expect(scheduler.status()?.renewing).toBe(true);
    const warn = logger.lines.find((l) => l.msg.includes('will retry'));
    expect(warn?.fields?.currentCertificateExpires).toBe(first.info.notAfter.toISOString());
    expect(warn?.fields?.nextTryAt).toBeDefined();
    await clock.advance(minutes(1) + minutes(2));
    expect(installer.installed).toHaveLength(1);
    expect(scheduler.status()?.renewing).toBe(false);
    scheduler.stop();
  });

  it('renewNow renews immediately whatever the window says', async () => {
    const { installer, scheduler, first, crypto } = await makeSut();
    const next = await scheduler.renewNow();
    expect(installer.installed).toHaveLength(1);
    expect(crypto.inspect(next.cert)?.serialHex).not.toBe(first.info.serialHex);
    scheduler.stop();
  });
});

describe('RenewalScheduler with ARI (RFC 9773)', () => {
  const withAri = (ca: FakeCa) => {
    ca.renewalInfoUrl = 'https://ca.example/renewal-info';
  };

  it('orders once when a forced renewal comes while the CA is still answering the ARI request', async () => {
    const clock = new FakeClock();
    const responder = new InMemoryChallengeResponder();
    const ca = new FakeCa(clock, responder);
    withAri(ca);
    const logger = new MemoryLogger();
    const obtain = new ObtainCertificate(
      ca,
      responder,
      new InMemoryCertStore(),
      new FakeCertificateCrypto(),
      clock,
      logger,
      testObtainSettings(),
    );
    const first = await obtain.ensure();
    // The CA says: renew now (a window that already began).
    ca.setWindow(
      'aki.1',
      new Date(clock.now().getTime() - days(1)),
      new Date(clock.now().getTime() - hours(1)),
    );
    let answer = () => {};
    const slowAri = new Promise<void>((r) => {
      answer = r;
    });
    const renewalInfo = ca.renewalInfo.bind(ca);
    ca.renewalInfo = async (ariId) => {
      await slowAri;
      return renewalInfo(ariId);
    };
    const scheduler = new RenewalScheduler(obtain, new RecordingInstaller(), clock, logger, () => 0.5);
    const started = scheduler.start(first);
    const forced = scheduler.renewNow();
    answer();
    await started;
    await forced;
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(ca.orders).toHaveLength(2); // the first certificate and one renewal, not two
    scheduler.stop();
  });

  it('renews at a random moment inside the CA window and sends "replaces"', async () => {
    const clock = new FakeClock();
    const start = new Date(clock.now().getTime() + days(50));
    const end = new Date(clock.now().getTime() + days(52));
    const {
      ca,
      installer,
      scheduler,
      first,
      clock: c,
    } = await makeSut(days(90), (ca) => {
      withAri(ca);
      ca.setWindow('aki.1', start, end);
    });
    expect(first.info.ariId).toBe('aki.1');
    expect(scheduler.status()?.renewalSource).toBe('ari');
    expect(scheduler.status()?.renewAt).toBe(new Date(start.getTime() + days(1)).toISOString()); // random = 0.5
    await c.advance(days(51) - minutes(1));
    expect(installer.installed).toHaveLength(0);
    await c.advance(minutes(2));
    expect(installer.installed).toHaveLength(1);
    expect(ca.orders[1]?.replaces).toBe('aki.1');
    scheduler.stop();
  });

  it('renews early when the CA moves the window forward (e.g. before a revocation)', async () => {
    const { ca, installer, scheduler, clock } = await makeSut(days(90), (c) => {
      withAri(c);
      const now = Date.parse('2026-01-01T00:00:00Z');
      c.setWindow('aki.1', new Date(now + days(60)), new Date(now + days(62)), hours(6));
    });
    await clock.advance(days(5));
    expect(installer.installed).toHaveLength(0);
    const now = clock.now().getTime();
    ca.setWindow('aki.1', new Date(now), new Date(now + hours(1)), hours(6));
    await clock.advance(hours(6) + hours(1));
    expect(installer.installed).toHaveLength(1);
    expect(ca.ariRequests).toBeGreaterThan(2);
    scheduler.stop();
  });

  it('retries once without "replaces" when the CA rejects it', async () => {
    const { ca, installer, scheduler, logger } = await makeSut(days(90), withAri);
    ca.setWindow('aki.1', new Date('2025-12-01T00:00:00Z'), new Date('2025-12-02T00:00:00Z'));
    ca.rejectReplacesNext();
    await scheduler.renewNow();
    expect(installer.installed).toHaveLength(1);
    expect(ca.orders.slice(1).map((o) => o.replaces)).toEqual(['aki.1', undefined]);
    expect(logger.has('warn', 'rejected "replaces"')).toBe(true);
    scheduler.stop();
  });

  it('keeps "replaces" when an order fails for another reason (a 5xx), and retries with it', async () => {
    const { ca, clock, installer, scheduler, logger } = await makeSut(days(90), withAri);
    ca.setWindow('aki.1', new Date('2025-12-01T00:00:00Z'), new Date('2025-12-02T00:00:00Z'));
    ca.failNextOrder(
      new AcmeError('acme.http_error', 'internal error', 'urn:ietf:params:acme:error:serverInternal', 500),
    );
    const renewed = scheduler.renewNow();
    await clock.advance(hours(1)); // the retry's backoff
    await renewed;
    expect(installer.installed).toHaveLength(1);
    expect(ca.orders.slice(1).map((o) => o.replaces)).toEqual(['aki.1', 'aki.1']);
    expect(logger.has('warn', 'rejected "replaces"')).toBe(false);
    scheduler.stop();
  });

  it('falls back to the lifetime rule when the CA offers no ARI', async () => {
    const { scheduler, ca } = await makeSut(days(90));
    expect(scheduler.status()?.renewalSource).toBe('lifetime');
    expect(ca.ariRequests).toBe(0);
    scheduler.stop();
  });
});
