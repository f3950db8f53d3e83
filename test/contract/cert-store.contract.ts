import { describe, expect, it } from 'vitest';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import { StaleFencingTokenError } from '../../src/domain/errors.js';
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

const NEWER: StoredCertificate = { certPem: 'CERT newer\nchain\n', keyPem: 'KEY newer\n' };

/**
 * What every CertStore promises: a pair comes back exactly as saved, accounts are kept per ACME
 * directory, and a save carrying a fencing token lower than one already saved under the name is
 * refused with nothing written. Run against the in-memory fake and each real adapter.
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

    describe('fencing', () => {
      const docs = name('docs.example.com');

      it('refuses a save whose token is lower than one saved before, with a stable code, writing nothing', async () => {
        const store = await fresh();
        await store.save(docs, OLD, 1);
        await store.save(docs, NEW, 2);
        const refused = await store.save(docs, NEWER, 1).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(StaleFencingTokenError);
        expect(refused).toMatchObject({ code: 'store.stale_fencing_token', fencingToken: 1, highest: 2 });
        expect(await store.load(docs)).toEqual(NEW);
      });

      it('accepts the same token again (the holder saving twice) and any greater one', async () => {
        const store = await fresh();
        await store.save(docs, OLD, 3);
        await store.save(docs, NEW, 3);
        expect(await store.load(docs)).toEqual(NEW);
        await store.save(docs, NEWER, 7);
        expect(await store.load(docs)).toEqual(NEWER);
        await expect(store.save(docs, OLD, 6)).rejects.toMatchObject({ code: 'store.stale_fencing_token' });
        expect(await store.load(docs)).toEqual(NEWER);
      });

      it('keeps the highest token per name', async () => {
        const store = await fresh();
        await store.save(docs, OLD, 5);
        await store.save(name('other.example.com'), NEW, 1);
        expect(await store.load(name('other.example.com'))).toEqual(NEW);
        await expect(store.save(name('other.example.com'), OLD, 0)).rejects.toThrow(StaleFencingTokenError);
      });

      it('a save without a token is not fenced and leaves the highest token as it was', async () => {
        const store = await fresh();
        await store.save(docs, OLD, 4);
        await store.save(docs, NEW);
        expect(await store.load(docs)).toEqual(NEW);
        await expect(store.save(docs, NEWER, 3)).rejects.toThrow(StaleFencingTokenError);
        await store.save(docs, NEWER, 4);
        expect(await store.load(docs)).toEqual(NEWER);
      });

      it('of two saves racing with different tokens, the lower one never ends up stored after the greater', async () => {
        const store = await fresh();
        for (let round = 0; round < 5; round++) {
          const low = 10 * round + 1;
          const high = low + 1;
          const results = await Promise.allSettled([
            store.save(docs, { certPem: `CERT ${low}\n`, keyPem: `KEY ${low}\n` }, low),
            store.save(docs, { certPem: `CERT ${high}\n`, keyPem: `KEY ${high}\n` }, high),
          ]);
          // Whichever ran first, the greater token's pair is the one left, whole.
          expect(await store.load(docs)).toEqual({ certPem: `CERT ${high}\n`, keyPem: `KEY ${high}\n` });
          expect(results[1]?.status).toBe('fulfilled');
        }
      });
    });
  });
}
