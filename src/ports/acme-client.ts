import type { AccountRecord, ExternalAccountBinding } from '../domain/certificate.js';
import type { DomainName } from '../domain/domain-name.js';

export interface AcmeDirectoryInfo {
  readonly termsOfService?: string;
  /** Profiles the CA offers (name → description), from `meta.profiles`. */
  readonly profiles: Readonly<Record<string, string>>;
  readonly externalAccountRequired: boolean;
  /** ARI base URL (RFC 9773), when offered. */
  readonly renewalInfo?: string;
}

export interface AcmeChallenge {
  readonly type: string;
  readonly url: string;
  readonly token: string;
  readonly keyAuthorization: string;
}

export interface AcmeAuthorization {
  readonly url: string;
  readonly domain: string;
  readonly status: string;
  readonly challenges: readonly AcmeChallenge[];
}

export interface AcmeOrder {
  readonly url: string;
  readonly authorizations: readonly AcmeAuthorization[];
}

export interface AccountRequest {
  readonly stored?: AccountRecord;
  /** Used only when `stored` has no key. */
  readonly newKeyPem: () => Promise<string>;
  readonly email?: string;
  readonly termsOfServiceAgreed: boolean;
  readonly eab?: ExternalAccountBinding;
}

/** RFC 9773 renewal information for one certificate. */
export interface RenewalWindow {
  readonly start: Date;
  readonly end: Date;
  /** When to ask again (the CA's Retry-After), in ms. */
  readonly retryAfterMs?: number;
  readonly explanationUrl?: string;
}

/**
 * The ACME protocol (RFC 8555) as certdocs uses it. Failures are AcmeError with the problem type,
 * status and Retry-After kept; badNonce is retried inside the adapter.
 */
export interface AcmeClient {
  directory(): Promise<AcmeDirectoryInfo>;
  /** Registers (or finds) the account and makes it the one later calls sign with. */
  useAccount(req: AccountRequest): Promise<AccountRecord>;
  newOrder(req: { domains: readonly DomainName[]; profile?: string; replaces?: string }): Promise<AcmeOrder>;
  /** Tells the CA the challenge response is in place. */
  acceptChallenge(challenge: AcmeChallenge): Promise<void>;
  /** Resolves when the authorization is valid; rejects with acme.challenge_failed when invalid. */
  waitForAuthorization(authz: AcmeAuthorization): Promise<void>;
  /** Submits the CSR, waits for issuance and returns the PEM chain. */
  finalize(order: AcmeOrder, csrPem: string): Promise<string>;
  /** The CA's suggested renewal window (ARI); only called when the directory offers `renewalInfo`. */
  renewalInfo(ariId: string): Promise<RenewalWindow>;
}

export const ACME_CLIENT = Symbol.for('certdocs.AcmeClient');
