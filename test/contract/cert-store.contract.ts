import { describe, expect, it } from 'vitest';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import type { CertStore } from '../../src/ports/cert-store.js';
import { name } from '../fakes/domain-names.js';
import { freshEach } from './fresh-each.js';

export interface MadeStore {
  readonly store: CertStore;
  cleanup(): Promise<void>;
}

const OLD: StoredCertificate = { certPem: 'CERT old\nchain\n', keyPem: 'KEY old\n' };
const NEW: StoredCertificate = { certPem: 'CERT new\nchain\n', keyPem: 'KEY new\n' };
const LE = 'https://acme-v02.api.letsencrypt.org/directory';
const STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/**
 * What every CertStore promises: a pair comes back exactly as saved, and accounts are kept per
 * ACME directory. Run against the in-memory fake and each real adapter.
 */
export function runCertStoreContract(label: string, makeStore: () => Promise<MadeStore>): void {
  describe(`CertStore contract: ${label}`, () => {
    const make = freshEach<MadeStore>();
    const fresh = async () => (await make(makeStore)).store;

    it('names a distinct, stable location for each certificate', async () => {
      const store = await fresh();
      const where = store.location(name('docs.example.com'));
      expect(where).toContain('docs.example.com');
      expect(store.location(name('docs.example.com'))).toBe(where);
      expect(store.location(name('other.example.com'))).not.toBe(where);
    });

    it('loads nothing for a name never saved', async () => {
      const store = await fresh();
      expect(await store.load(name('docs.example.com'))).toBeUndefined();
    });

    it('loads a saved pair exactly as saved', async () => {
      const store = await fresh();
      await store.save(name('docs.example.com'), OLD);
      expect(await store.load(name('docs.example.com'))).toEqual(OLD);
      expect(await store.load(name('other.example.com'))).toBeUndefined();
    });

    it('replaces the pair on a second save', async () => {
      const store = await fresh();
      await store.save(name('docs.example.com'), OLD);
      await store.save(name('docs.example.com'), NEW);
      expect(await store.load(name('docs.example.com'))).toEqual(NEW);
    });

    it('has no account before one is saved', async () => {
      const store = await fresh();
      expect(await store.loadAccount(LE)).toBeUndefined();
    });

    it('keeps the account URL per directory, with one key', async () => {
      const store = await fresh();
      await store.saveAccount(LE, { keyPem: 'ACCOUNT KEY', url: 'https://le.example/acct/1' });
      await store.saveAccount(STAGING, { keyPem: 'ACCOUNT KEY', url: 'https://staging.example/acct/9' });
      expect(await store.loadAccount(LE)).toEqual({
        keyPem: 'ACCOUNT KEY',
        url: 'https://le.example/acct/1',
      });
      expect(await store.loadAccount(STAGING)).toEqual({
        keyPem: 'ACCOUNT KEY',
        url: 'https://staging.example/acct/9',
      });
      // A directory never registered at may reuse the key, but must not borrow another CA's URL.
      expect((await store.loadAccount('https://ca.example/dir'))?.url).toBeUndefined();
    });

    it('keeps an account key without a URL (registration still to do)', async () => {
      const store = await fresh();
      await store.saveAccount(LE, { keyPem: 'ACCOUNT KEY' });
      const account = await store.loadAccount(LE);
      expect(account?.keyPem).toBe('ACCOUNT KEY');
      expect(account?.url).toBeUndefined();
      await store.saveAccount(LE, { keyPem: 'ACCOUNT KEY', url: 'https://le.example/acct/1' });
      expect(await store.loadAccount(LE)).toEqual({
        keyPem: 'ACCOUNT KEY',
        url: 'https://le.example/acct/1',
      });
    });
  });
}
