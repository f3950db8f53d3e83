import type { BackoffPolicy } from '../domain/backoff.js';
import type { ChallengeType, ExternalAccountBinding } from '../domain/certificate.js';
import type { DomainNames } from '../domain/domain-name.js';

/**
 * The values the use-cases are configured with. The app parses and validates them once (flags and
 * environment); the use-cases trust their types and never check them again.
 */

/** What ObtainCertificate orders, from which CA, and how it answers the challenges. */
export interface ObtainSettings {
  readonly domains: DomainNames;
  /** Challenge types to use, in order of preference. */
  readonly challenges: readonly [ChallengeType, ...ChallengeType[]];
  readonly directoryUrl: string;
  readonly email?: string;
  /** Whether the operator agreed to the CA's terms of service (needed to create an account). */
  readonly acceptTos: boolean;
  readonly profile?: string;
  readonly eab?: ExternalAccountBinding;
  readonly backoff?: BackoffPolicy;
  /** With replicas (a LeaseLock): how long an order's lease lasts, and how often waiters look. */
  readonly coordination?: CoordinationSettings;
}

export interface CoordinationSettings {
  /** The lease the ordering replica holds, renewed every third of it while the order runs. */
  readonly leaseMs: number;
  /** How often a waiting replica looks for the certificate (and for a lease that ran out). */
  readonly pollMs: number;
  /**
   * How often a serving replica compares the stored certificate with the one it serves, in case
   * it missed the event that announced a new one.
   */
  readonly followMs?: number;
}

export const OBTAIN_SETTINGS = Symbol.for('certdocs.ObtainSettings');

/** How KeepDocsFresh keeps the index in step with its source. */
export interface FreshnessSettings {
  /** How often remote sources are re-fetched, ms; 0 turns polling off. */
  readonly refreshIntervalMs: number;
}

export const FRESHNESS_SETTINGS = Symbol.for('certdocs.FreshnessSettings');
