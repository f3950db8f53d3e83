import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TlsAlpnResponder } from '../../src/ports/tls-alpn-responder.js';
import { freshEach } from './fresh-each.js';

export interface MadeTlsAlpnResponder {
  readonly responder: TlsAlpnResponder;
  /**
   * What a validator connecting for `domain` would find: the acmeIdentifier value (hex SHA-256 of
   * the key authorization) of the challenge certificate, or undefined when it gets none.
   */
  answer(domain: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/** The acmeIdentifier a validator expects for a key authorization (RFC 8737 §3). */
export const expectedDigest = (keyAuthorization: string) =>
  createHash('sha256').update(keyAuthorization).digest('hex');

const KA_A = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const KA_B = 'tok-b.LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';

/**
 * What every TlsAlpnResponder promises: once a key authorization is presented for a domain, a
 * validator asking for that domain (in any letter case) gets a certificate carrying its digest,
 * until it is removed; nothing else is answered. Run against the in-memory fake and TlsAlpnFrontDoor.
 */
export function runTlsAlpnResponderContract(
  name: string,
  makeResponder: () => Promise<MadeTlsAlpnResponder>,
): void {
  describe(`TlsAlpnResponder contract: ${name}`, () => {
    const make = freshEach<MadeTlsAlpnResponder>();
    const fresh = () => make(makeResponder);

    it('answers a presented domain with the digest of its key authorization', async () => {
      const { responder, answer } = await fresh();
      await responder.present('docs.example.com', KA_A);
      expect(await answer('docs.example.com')).toBe(expectedDigest(KA_A));
    });

    it('answers nothing for a domain never presented', async () => {
      const { responder, answer } = await fresh();
      await responder.present('docs.example.com', KA_A);
      expect(await answer('other.example.com')).toBeUndefined();
    });

    it('keeps several domains apart', async () => {
      const { responder, answer } = await fresh();
      await responder.present('a.example.com', KA_A);
      await responder.present('b.example.com', KA_B);
      expect(await answer('a.example.com')).toBe(expectedDigest(KA_A));
      expect(await answer('b.example.com')).toBe(expectedDigest(KA_B));
    });

    it('matches the domain whatever its letter case', async () => {
      const { responder, answer } = await fresh();
      await responder.present('Docs.Example.COM', KA_A);
      expect(await answer('docs.example.com')).toBe(expectedDigest(KA_A));
    });

    it('answers with the latest key authorization when a domain is presented again', async () => {
      const { responder, answer } = await fresh();
      await responder.present('docs.example.com', KA_A);
      await responder.present('docs.example.com', KA_B);
      expect(await answer('docs.example.com')).toBe(expectedDigest(KA_B));
    });

    it('answers nothing once the domain is removed, and takes removing an unknown one in its stride', async () => {
      const { responder, answer } = await fresh();
      await responder.present('docs.example.com', KA_A);
      await responder.present('www.example.com', KA_B);
      await responder.remove('docs.example.com');
      await expect(responder.remove('never-presented.example.com')).resolves.toBeUndefined();
      expect(await answer('docs.example.com')).toBeUndefined();
      expect(await answer('www.example.com')).toBe(expectedDigest(KA_B));
    });
  });
}
