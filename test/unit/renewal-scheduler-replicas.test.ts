import { describe, expect, it } from 'vitest';
import { InMemoryCertificateEvents } from '../../src/adapters/memory/in-memory-certificate-events.js';
import { ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import { RenewalScheduler } from '../../src/domain/renewal-scheduler.js';
import type { CertificateEvents } from '../../src/ports/certificate-events.js';
import { name } from '../fakes/domain-names.js';
import { FakeCa } from '../fakes/fake-ca.js';
import { FakeCertificateCrypto } from '../fakes/fake-certificate-crypto.js';
import { days, FakeClock, seconds } from '../fakes/fake-clock.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { InMemoryLeaseLock } from '../fakes/in-memory-lease-lock.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingCertificateInstaller } from '../fakes/recording-certificate-installer.js';
import { testObtainSettings } from '../fakes/settings.js';

const DOCS = name('docs.example.com');
const COORDINATION = { leaseMs: seconds(30), pollMs: seconds(2), followMs: seconds(60) };

/** An events port that hears nothing: a replica whose subscription is down. */
const DEAF: CertificateEvents = {
  announce: async () => 0,
  watch: async () => async () => {},
};

/**
 * Replicas sharing one store, one lock, one CA and one event channel (what Redis gives them),
 * each with its own scheduler and TLS context. `deaf` replicas miss every event.
 */
async function makeFleet(n: number, deaf: number[] = []) {
  const clock = new FakeClock();
  const responder = new InMemoryChallengeResponder();
  const ca = new FakeCa(clock, responder);
  const store = new InMemoryCertStore();
  const lock = new InMemoryLeaseLock(() => clock.now().getTime());
  const events = new InMemoryCertificateEvents();
  const replicas = Array.from({ length: n }, (_, i) => {
    const logger = new MemoryLogger();
    const heard = deaf.includes(i) ? DEAF : events;
    const obtain = new ObtainCertificate(
      ca,
      responder,
      store,
      new FakeCertificateCrypto(),
      clock,
      logger,
      testObtainSettings({ coordination: COORDINATION }),
      undefined,
      undefined,
      lock,
      heard,
    );
    const installer = new RecordingCertificateInstaller();
    const scheduler = new RenewalScheduler(obtain, installer, clock, logger, () => 0.5, undefined, heard);
    return { obtain, installer, scheduler, logger };
  });
  const first = await settle(clock, Promise.all(replicas.map((r) => r.obtain.ensure())));
  await Promise.all(
    replicas.map((r, i) => {
      const got = first[i];
      if (!got) throw new Error(`replica ${i} got no certificate`);
      return r.scheduler.start(got);
    }),
  );
  return { clock, ca, events, replicas };
}

/** Lets the replicas' promises run, moving the fake clock a second at a time. */
async function settle<T>(clock: FakeClock, work: Promise<T>, maxMs = seconds(120)): Promise<T> {
  let done = false;
  const result = work.finally(() => {
    done = true;
  });
  for (let t = 0; t < maxMs && !done; t += seconds(1)) await clock.advance(seconds(1));
  return result;
}

const serials = (replicas: { scheduler: RenewalScheduler }[]) =>
  replicas.map((r) => r.scheduler.status()?.notAfter);

describe('RenewalScheduler with replicas (CertificateEvents)', () => {
  it('a renewal by one replica is installed by the others at once, and they plan from it', async () => {
    const { clock, ca, replicas } = await makeFleet(3);
    const [a, b, c] = replicas;
    await clock.advance(days(1));
    const renewed = await settle(clock, a?.scheduler.renewNow() ?? Promise.reject());
    await clock.advance(0);
    expect(ca.orders).toHaveLength(2);
    for (const r of [b, c]) {
      expect(r?.installer.installed.at(-1)).toEqual(renewed.cert);
      expect(r?.logger.has('info', 'certificate stored by another replica installed')).toBe(true);
      // Planned from the new certificate: 2/3 of its 90 days from its issue.
      expect(r?.scheduler.status()?.notAfter).toBe(renewed.info.notAfter.toISOString());
    }
    expect(a?.installer.installed).toHaveLength(1); // its own renewal, installed once
    // The old certificate's renewal time (day 60) comes and goes: no order, nothing to install.
    await clock.advance(days(59) + seconds(30));
    expect(ca.orders).toHaveLength(2);
    for (const r of replicas) r.scheduler.stop();
  });

  it('a replica that missed the event finds the new certificate at its next look at the store', async () => {
    const { clock, ca, replicas } = await makeFleet(2, [1]);
    const [a, deaf] = replicas;
    const renewed = await settle(clock, a?.scheduler.renewNow() ?? Promise.reject());
    expect(deaf?.installer.installed).toHaveLength(0);
    await clock.advance(COORDINATION.followMs);
    expect(deaf?.installer.installed).toEqual([renewed.cert]);
    expect(ca.orders).toHaveLength(2);
    for (const r of replicas) r.scheduler.stop();
  });

  it('renewal_requested: exactly one replica orders and every replica installs the result', async () => {
    const { clock, ca, events, replicas } = await makeFleet(3);
    expect(await events.announce(DOCS, 'renewal_requested')).toBe(3);
    for (let t = 0; t < 20; t++) await clock.advance(seconds(1));
    expect(ca.orders).toHaveLength(2);
    const now = new Set(serials(replicas));
    expect(now.size).toBe(1);
    for (const r of replicas) expect(r.installer.installed).toHaveLength(1);
    for (const r of replicas) r.scheduler.stop();
  });

  it('installs nothing when the store holds the certificate already in service', async () => {
    const { clock, events, replicas } = await makeFleet(2);
    await events.announce(DOCS, 'stored');
    await clock.advance(COORDINATION.followMs * 3);
    for (const r of replicas) expect(r.installer.installed).toHaveLength(0);
    for (const r of replicas) r.scheduler.stop();
  });

  it('after stop() it neither hears events nor looks at the store', async () => {
    const { clock, events, replicas } = await makeFleet(1);
    await replicas[0]?.scheduler.stop();
    expect(await events.announce(DOCS, 'stored')).toBe(0);
    await clock.advance(COORDINATION.followMs * 2);
    expect(replicas[0]?.installer.installed).toHaveLength(0);
  });
});
