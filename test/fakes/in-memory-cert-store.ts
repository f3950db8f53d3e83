import type { AccountRecord, StoredCertificate } from '../../src/domain/certificate.js';
import { StaleFencingTokenError } from '../../src/domain/errors.js';
import type { CertStore } from '../../src/ports/cert-store.js';

export class InMemoryCertStore implements CertStore {
  readonly certs = new Map<string, StoredCertificate>();
  readonly accounts = new Map<string, AccountRecord>();
  /** The highest fencing token a save of each name carried. */
  readonly fences = new Map<string, number>();
  saves = 0;

  async load(name: string): Promise<StoredCertificate | undefined> {
    return this.certs.get(name);
  }

  async save(name: string, cert: StoredCertificate, fencingToken?: number): Promise<void> {
    if (fencingToken !== undefined) {
      const highest = this.fences.get(name) ?? 0;
      if (fencingToken < highest) throw new StaleFencingTokenError(name, fencingToken, highest);
      this.fences.set(name, fencingToken);
    }
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
