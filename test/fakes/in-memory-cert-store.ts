import type { AccountRecord, StoredCertificate } from '../../src/domain/certificate.js';
import type { CertStore } from '../../src/ports/cert-store.js';

export class InMemoryCertStore implements CertStore {
  readonly certs = new Map<string, StoredCertificate>();
  readonly accounts = new Map<string, AccountRecord>();
  saves = 0;

  async load(name: string): Promise<StoredCertificate | undefined> {
    return this.certs.get(name);
  }

  async save(name: string, cert: StoredCertificate): Promise<void> {
    this.saves++;
    this.certs.set(name, { ...cert });
  }

  location(name: string): string {
    return `memory:${name}`;
  }

  async loadAccount(directoryUrl: string): Promise<AccountRecord | undefined> {
    return this.accounts.get(directoryUrl);
  }

  async saveAccount(directoryUrl: string, account: AccountRecord): Promise<void> {
    this.accounts.set(directoryUrl, { ...account });
  }

  /** Simulates a damaged file on disk. */
  corrupt(name: string, with_: Partial<StoredCertificate>): void {
    const current = this.certs.get(name) ?? { certPem: '', keyPem: '' };
    this.certs.set(name, { ...current, ...with_ });
  }
}
