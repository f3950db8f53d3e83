import type { DomainName } from '../domain/domain-name.js';

/**
 * What replicas sharing a store tell each other about a certificate, by its name (the first
 * domain): `stored` (a new one was saved: load it) and `renewal_requested` (an operator asked the
 * fleet to renew now). Best effort: a replica that was away when an event was sent misses it, so
 * followers also look at the store now and then.
 */
export type CertificateEvent = 'stored' | 'renewal_requested';

export interface CertificateEvents {
  /** Tells every watcher of `name`, this process's included; resolves to how many heard it. */
  announce(name: DomainName, event: CertificateEvent): Promise<number>;
  /**
   * Calls `onEvent` for every event on `name` until the returned function is called. Never fails:
   * when the events cannot be received now (the store is away), it keeps trying in the background.
   */
  watch(name: DomainName, onEvent: (event: CertificateEvent) => void): Promise<() => Promise<void>>;
}

export const CERTIFICATE_EVENTS = Symbol.for('certdocs.CertificateEvents');
