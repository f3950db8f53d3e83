/**
 * A lock with a lease, shared by replicas: one holder at a time, for at most the lease unless the
 * holder renews it. Held by a name (e.g. the certificate's), released only by its holder.
 */
export interface LeaseLock {
  /** The lease on `name` for `leaseMs`, or undefined at once when someone else holds it. */
  tryAcquire(name: string, leaseMs: number): Promise<Lease | undefined>;
}

export interface Lease {
  /**
   * Greater than the token of every earlier lease on the same name: a write carrying it can be
   * told apart from one by a holder whose lease ran out (CertStore.save refuses the lower one).
   */
  readonly fencingToken: number;
  /** Extends the lease by its length; false when it was lost (ran out, maybe taken by another). */
  renew(): Promise<boolean>;
  /** Gives the lease up if this holder still has it; false when it had been lost already. */
  release(): Promise<boolean>;
}

export const LEASE_LOCK = Symbol.for('certdocs.LeaseLock');
