import type { AccountRecord, StoredCertificate } from '../domain/certificate.js';
import type { DomainName } from '../domain/domain-name.js';

/** Where certificates and the ACME account live between runs. Writes are atomic. */
export interface CertStore {
  /** The certificate stored under `name` (the first domain), or undefined if there is none. */
  load(name: DomainName): Promise<StoredCertificate | undefined>;
  /**
   * Replaces the pair stored under `name`. With a `fencingToken` (the order's Lease), the store
   * keeps the highest token a save of `name` carried and refuses, with a StaleFencingTokenError
   * and without writing anything, a save whose token is lower: the writer's lease ran out and a
   * later holder has saved since. A save without a token (no lock: one replica) is not fenced.
   */
  save(name: DomainName, cert: StoredCertificate, fencingToken?: number): Promise<void>;
  /** Where the certificate named `name` is kept, for people to read (a file path, a key). */
  location(name: DomainName): string;
  /** The account registered at `directoryUrl`; a stored key without a URL is reused for a new registration. */
  loadAccount(directoryUrl: string): Promise<AccountRecord | undefined>;
  saveAccount(directoryUrl: string, account: AccountRecord): Promise<void>;
}

export const CERT_STORE = Symbol.for('certdocs.CertStore');
