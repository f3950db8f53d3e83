import type { AccountRecord, StoredCertificate } from '../domain/certificate.js';

/** Where certificates and the ACME account live between runs. Writes are atomic. */
export interface CertStore {
  /** The certificate stored under `name` (the first domain), or undefined if there is none. */
  load(name: string): Promise<StoredCertificate | undefined>;
  save(name: string, cert: StoredCertificate): Promise<void>;
  /** The account registered at `directoryUrl`; a stored key without a URL is reused for a new registration. */
  loadAccount(directoryUrl: string): Promise<AccountRecord | undefined>;
  saveAccount(directoryUrl: string, account: AccountRecord): Promise<void>;
}

export const CERT_STORE = Symbol.for('certdocs.CertStore');
