import type { AccountRecord, StoredCertificate } from '../domain/certificate.js';
import type { DomainName } from '../domain/domain-name.js';

/** Where certificates and the ACME account live between runs. Writes are atomic. */
export interface CertStore {
  /** The certificate stored under `name` (the first domain), or undefined if there is none. */
  load(name: DomainName): Promise<StoredCertificate | undefined>;
  save(name: DomainName, cert: StoredCertificate): Promise<void>;
  /** Where the certificate named `name` is kept, for people to read (a file path, a key). */
  location(name: DomainName): string;
  /** The account registered at `directoryUrl`; a stored key without a URL is reused for a new registration. */
  loadAccount(directoryUrl: string): Promise<AccountRecord | undefined>;
  saveAccount(directoryUrl: string, account: AccountRecord): Promise<void>;
}

export const CERT_STORE = Symbol.for('certdocs.CertStore');
