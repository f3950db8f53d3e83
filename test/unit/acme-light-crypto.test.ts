import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as light from '../../src/adapters/acme-client/light-crypto.js';
import { loadAcmeCrypto } from '../../src/adapters/acme-client/load-acme-lib.js';
import { certificateRequestPem } from '../../src/adapters/node-crypto/certificate-request.js';

// The bundle gives acme-client's own files light-crypto.ts in place of its crypto module, and
// node-crypto makes the CSRs: both must give what acme-client 5.4's crypto gives.

const pkcs8 = (kind: 'ec256' | 'ec384' | 'rsa') => {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind === 'ec256' ? 'P-256' : 'P-384' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
};

const KINDS = ['ec256', 'ec384', 'rsa'] as const;

describe('light-crypto (acme-client without @peculiar/x509)', () => {
  it.each(KINDS)('getJwk gives acme-client’s JWK, members in the same order (%s)', async (kind) => {
    const full = await loadAcmeCrypto();
    const key = pkcs8(kind);
    const ours = light.getJwk(key);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(full.getJwk(key)));
  });

  it('splitPemChain and getPemBodyAsB64u give acme-client’s results for a chain', async () => {
    const full = await loadAcmeCrypto();
    const mint = async (name: string) =>
      (
        await full.createAlpnCertificate(
          { identifier: { type: 'dns', value: name } } as never,
          'k.a',
          pkcs8('ec256'),
        )
      )[1].toString();
    // Lines of other widths and CRLFs, as a CA might send them.
    const chain = `${await mint('a.example.com')}\r\n${(await mint('b.example.com')).replace(/\n/g, '\r\n')}\n`;
    expect(light.splitPemChain(chain)).toEqual(full.splitPemChain(chain));
    expect(light.splitPemChain(Buffer.from(chain))).toEqual(full.splitPemChain(chain));
    expect(light.getPemBodyAsB64u(chain)).toBe(full.getPemBodyAsB64u(chain));
    expect(() => light.getPemBodyAsB64u('no pem here')).toThrow(/Unable to parse PEM body/);
  });

  it('hands the calls it lacks to the full module once that is loaded', async () => {
    const full = await loadAcmeCrypto(); // registers itself (useFullCrypto)
    const csr = certificateRequestPem(['x.example.com'], pkcs8('ec256')) as string;
    expect(light.readCsrDomains(csr as never)).toEqual(full.readCsrDomains(csr));
  });
});

describe('certificateRequestPem (node:crypto CSR)', () => {
  it.each(KINDS)(
    'names, extensions and a valid self-signature, as acme-client makes them (%s)',
    async (kind) => {
      const full = await loadAcmeCrypto();
      const key = pkcs8(kind);
      const domains = ['docs.example.com', 'www.docs.example.com'];
      const ours = certificateRequestPem(domains, key) as string;
      expect(ours).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
      expect(full.readCsrDomains(ours)).toEqual({ commonName: 'docs.example.com', altNames: domains });
      const [, theirs] = await full.createCsr({ commonName: domains[0], altNames: [...domains] }, key);
      expect(full.readCsrDomains(theirs)).toEqual(full.readCsrDomains(ours));
      const x509 = await import('@peculiar/x509');
      const parsed = new x509.Pkcs10CertificateRequest(ours);
      const reference = new x509.Pkcs10CertificateRequest(theirs.toString());
      expect(await parsed.verify()).toBe(true);
      expect(parsed.subject).toBe(reference.subject);
      expect(parsed.signatureAlgorithm).toEqual(reference.signatureAlgorithm);
      expect(
        parsed.extensions.map((e) => [e.type, e.critical, Buffer.from(e.value).toString('hex')]),
      ).toEqual(reference.extensions.map((e) => [e.type, e.critical, Buffer.from(e.value).toString('hex')]));
      expect(Buffer.from(parsed.publicKey.rawData)).toEqual(Buffer.from(reference.publicKey.rawData));
    },
  );

  it('leaves keys it does not sign with to acme-client (undefined)', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(certificateRequestPem(['a.example.com'], ed)).toBeUndefined();
  });
});
