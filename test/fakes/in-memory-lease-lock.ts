import type { Lease, LeaseLock } from '../../src/ports/lease-lock.js';

/** Replicas in one process: share one instance. Time comes from `now` (a FakeClock in unit tests). */
export class InMemoryLeaseLock implements LeaseLock {
  private readonly held = new Map<string, { holder: object; until: number }>();
  private readonly fences = new Map<string, number>();
  acquisitions = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async tryAcquire(name: string, leaseMs: number): Promise<Lease | undefined> {
    const current = this.held.get(name);
    if (current && current.until > this.now()) return undefined;
    const holder = {};
    this.held.set(name, { holder, until: this.now() + leaseMs });
    const fencingToken = (this.fences.get(name) ?? 0) + 1;
    this.fences.set(name, fencingToken);
    this.acquisitions++;
    const mine = () => {
      const h = this.held.get(name);
      return h?.holder === holder && h.until > this.now() ? h : undefined;
    };
    return {
      fencingToken,
      renew: async () => {
        const h = mine();
        if (h) h.until = this.now() + leaseMs;
        return h !== undefined;
      },
      release: async () => {
        const h = mine();
        if (h) this.held.delete(name);
        return h !== undefined;
      },
    };
  }
}
