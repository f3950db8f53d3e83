import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LeaseLock } from '../../src/ports/lease-lock.js';
import { freshEach } from './fresh-each.js';

export interface MadeLock {
  /** Two replicas' views of one lock (the same object where nothing is shared). */
  readonly lock: LeaseLock;
  readonly replica: LeaseLock;
  cleanup(): Promise<void>;
}

/**
 * What every LeaseLock promises: one holder at a time; a lease runs out unless renewed; only the
 * holder renews or releases; every acquisition gets a greater fencing token. Leases are real time.
 */
export function runLeaseLockContract(label: string, makeLock: () => Promise<MadeLock>): void {
  describe(`LeaseLock contract: ${label}`, () => {
    const make = freshEach<MadeLock>();
    const fresh = () => make(makeLock);

    it('has one holder at a time, per name', async () => {
      const { lock, replica } = await fresh();
      const lease = await lock.tryAcquire('docs.example.com', 10_000);
      expect(lease).toBeDefined();
      expect(await replica.tryAcquire('docs.example.com', 10_000)).toBeUndefined();
      expect(await lock.tryAcquire('docs.example.com', 10_000)).toBeUndefined();
      expect(await replica.tryAcquire('other.example.com', 10_000)).toBeDefined();
    });

    it('is free again once released, and a second release says it was not held', async () => {
      const { lock, replica } = await fresh();
      const lease = await lock.tryAcquire('n', 10_000);
      expect(await lease?.release()).toBe(true);
      expect(await lease?.release()).toBe(false);
      expect(await replica.tryAcquire('n', 10_000)).toBeDefined();
    });

    it('runs out after its lease unless renewed, and renewing keeps it', async () => {
      const { lock, replica } = await fresh();
      const renewed = await lock.tryAcquire('kept', 300);
      const left = await lock.tryAcquire('left', 300);
      expect(left).toBeDefined();
      await delay(150);
      expect(await renewed?.renew()).toBe(true);
      await delay(200);
      expect(await replica.tryAcquire('kept', 300)).toBeUndefined();
      expect(await replica.tryAcquire('left', 300)).toBeDefined();
    });

    it('a holder whose lease ran out can neither renew nor release the new holder’s lease', async () => {
      const { lock, replica } = await fresh();
      const stale = await lock.tryAcquire('n', 100);
      await delay(200);
      const current = await replica.tryAcquire('n', 10_000);
      expect(current).toBeDefined();
      expect(await stale?.renew()).toBe(false);
      expect(await stale?.release()).toBe(false);
      expect(await lock.tryAcquire('n', 10_000)).toBeUndefined(); // still the replica's
    });

    it('gives every acquisition a greater fencing token', async () => {
      const { lock, replica } = await fresh();
      const first = await lock.tryAcquire('n', 10_000);
      await first?.release();
      const second = await replica.tryAcquire('n', 100);
      await delay(200); // ran out, not released
      const third = await lock.tryAcquire('n', 10_000);
      const tokens = [first, second, third].map((l) => l?.fencingToken ?? Number.NaN);
      expect(tokens[1]).toBeGreaterThan(tokens[0] as number);
      expect(tokens[2]).toBeGreaterThan(tokens[1] as number);
    });
  });
}
