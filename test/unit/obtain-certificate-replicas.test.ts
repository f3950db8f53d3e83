import { describe, expect, it } from 'vitest';
import { LeaseLostError, ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import type { CertStore } from '../../src/ports/cert-store.js';
import type { Lease, LeaseLock } from '../../src/ports/lease-lock.js';
import { FakeCa } from '../fakes/fake-ca.js';
import { FakeCertificateCrypto } from '../fakes/fake-certificate-crypto.js';
import { days, FakeClock, seconds } from '../fakes/fake-clock.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { InMemoryLeaseLock } from '../fakes/in-memory-lease-lock.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { testObtainSettings } from '../fakes/settings.js';

const COORDINATION = { leaseMs: seconds(30), pollMs: seconds(2) };

/** Replicas sharing one store, one lock and one CA (whose HTTP-01 checks reach any of them). */
function makeFleet(n: number, lock?: LeaseLock) {
  const clock = new FakeClock();
  const responder = new InMemoryChallengeResponder();
  const ca = new FakeCa(clock, responder);
  const store = new InMemoryCertStore();
  const sharedLock = lock ?? new InMemoryLeaseLock(() => clock.now().getTime());
  /** One more replica of the fleet, seeing the store and the lock through `views` if given. */
  const replica = (views: { store?: CertStore; lock?: LeaseLock } = {}) => {
    const logger = new MemoryLogger();
    const settings = testObtainSettings({ coordination: COORDINATION });
    const sut = new ObtainCertificate(
      ca,
      responder,
      views.store ?? store,
      new FakeCertificateCrypto(),
      clock,
      logger,
      settings,
      undefined,
      undefined,
      views.lock ?? sharedLock,
    );
    return { sut, logger };
  };
  const replicas = Array.from({ length: n }, () => replica());
  return { clock, ca, store, lock: sharedLock, replicas, replica };
}

/** Lets the replicas' promises run, moving the fake clock a poll at a time. */
async function settle<T>(clock: FakeClock, work: Promise<T>, maxMs = seconds(120)): Promise<T> {
  let done = false;
  const result = work.finally(() => {
    done = true;
  });
  for (let t = 0; t < maxMs && !done; t += seconds(1)) await clock.advance(seconds(1));
  return result;
}

describe('ObtainCertificate with replicas (a LeaseLock)', () => {
  it('three replicas starting together: exactly one order, all get the same certificate', async () => {
    const { clock, ca, replicas } = makeFleet(3);
    const got = await settle(clock, Promise.all(replicas.map((r) => r.sut.ensure())));
    expect(ca.orders).toHaveLength(1);
    expect(new Set(got.map((g) => g.info.serialHex)).size).toBe(1);
    expect(replicas.filter((r) => r.logger.has('info', 'waiting for its certificate'))).toHaveLength(2);
  });

  it('a renewal: the replica that comes second loads the renewed certificate instead of ordering', async () => {
    const { clock, ca, replicas } = makeFleet(2);
    const [a, b] = replicas.map((r) => r.sut);
    const first = await settle(clock, a?.ensure() ?? Promise.reject());
    const renewed = await settle(clock, a?.issueWithRetry(undefined, first.info.ariId) ?? Promise.reject());
    const second = await settle(clock, b?.issueWithRetry(undefined, first.info.ariId) ?? Promise.reject());
    expect(ca.orders).toHaveLength(2);
    expect(second.info.serialHex).toBe(renewed.info.serialHex);
  });

  it('takes over when the holder went away without releasing: after its lease, another orders', async () => {
    const { clock, ca, lock, replicas } = makeFleet(1);
    // A replica that took the lease and died (never renews, never releases).
    expect(await lock.tryAcquire('order:docs.example.com', COORDINATION.leaseMs)).toBeDefined();
    const started = clock.now().getTime();
    const got = await settle(clock, replicas[0]?.sut.ensure() ?? Promise.reject());
    expect(ca.orders).toHaveLength(1);
    expect(got.reused).toBe(false);
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(COORDINATION.leaseMs);
  });

  it('keeps its lease while a long order retries, so nobody else orders meanwhile', async () => {
    const { clock, ca, replicas } = makeFleet(2);
    ca.unreachableNext(3); // three failed attempts, backoff 1 min, 2 min, 4 min: far beyond the lease
    const got = await settle(clock, Promise.all(replicas.map((r) => r.sut.ensure())), days(1));
    expect(ca.orders.length).toBeLessThanOrEqual(4);
    expect(new Set(got.map((g) => g.info.serialHex)).size).toBe(1);
    expect(replicas.filter((r) => r.logger.has('info', 'ordering for the replicas'))).toHaveLength(1);
  });

  it('does not save when its lease was lost before the save (the fencing check)', async () => {
    const clock = new FakeClock();
    const inner = new InMemoryLeaseLock(() => clock.now().getTime());
    let stolen = false;
    // The first lease is lost (a long pause, say) just before the certificate would be saved.
    const lock: LeaseLock = {
      tryAcquire: async (name, ms) => {
        const lease = await inner.tryAcquire(name, ms);
        if (!lease || stolen) return lease;
        stolen = true;
        const lost: Lease = { ...lease, renew: async () => false, release: lease.release };
        return lost;
      },
    };
    const fleet = makeFleet(1, lock);
    const sut = fleet.replicas[0]?.sut;
    if (!sut) throw new Error('no replica');
    await settle(fleet.clock, sut.ensure());
    // The lost lease's order was not saved; the next lease ordered again and saved.
    expect(fleet.ca.orders).toHaveLength(2);
    expect(fleet.store.saves).toBe(1);
    expect(fleet.replicas[0]?.logger.has('warn', 'lease ran out')).toBe(true);
    expect(new LeaseLostError().code).toBe('store.lease_lost');
  });

  it('a holder paused between its lease check and the save: the store refuses its late save, and it serves the certificate of the replica that took over', async () => {
    const fleet = makeFleet(0);
    const { clock, ca, store } = fleet;
    const shared = fleet.lock;
    // Replica A stops (GC, a frozen VM) just as it calls save: its lease check has passed; while
    // it is stopped it renews nothing, so its lease runs out.
    let paused = false;
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const lockA: LeaseLock = {
      tryAcquire: async (name, ms) => {
        const lease = await shared.tryAcquire(name, ms);
        return (
          lease && {
            fencingToken: lease.fencingToken,
            renew: async () => (paused ? false : lease.renew()),
            release: () => lease.release(),
          }
        );
      },
    };
    const storeA: CertStore = {
      load: (n) => store.load(n),
      location: (n) => store.location(n),
      loadAccount: (url) => store.loadAccount(url),
      saveAccount: (url, account) => store.saveAccount(url, account),
      save: async (n, cert, token) => {
        if (!paused) {
          paused = true;
          await woken;
        }
        return store.save(n, cert, token);
      },
    };
    const a = fleet.replica({ store: storeA, lock: lockA });
    const b = fleet.replica();
    const aDone = a.sut.ensure();
    for (let t = 0; t < 60 && !paused; t++) await clock.advance(seconds(1));
    expect(paused).toBe(true);
    expect(ca.orders).toHaveLength(1);

    // B waits out A's lease, takes it over (a greater fencing token), orders and saves.
    const won = await settle(clock, b.sut.ensure());
    expect(won.reused).toBe(false);
    expect(ca.orders).toHaveLength(2);
    expect(b.logger.lines.find((l) => l.msg === 'ordering for the replicas')?.fields).toEqual({ fence: 2 });

    // A wakes and saves late, under the token of its lost lease: refused, nothing overwritten.
    wake();
    const late = await settle(clock, aDone);
    expect(store.saves).toBe(1);
    expect(await store.load('docs.example.com')).toEqual(won.cert);
    expect(late.info.serialHex).toBe(won.info.serialHex);
    expect(ca.orders).toHaveLength(2); // and it did not order once more
    const refusal = a.logger.lines.find((l) => l.msg.startsWith('the store refused a save'));
    expect(refusal?.fields).toMatchObject({ code: 'store.stale_fencing_token', fence: 1, highestFence: 2 });
  });
});
