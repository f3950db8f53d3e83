import { createPublicKey } from 'node:crypto';

/**
 * What acme-client's client and HTTP layer take from its `./crypto` module, without that module:
 * it loads @peculiar/x509 and asn1js (~0.7 MB) and registers their schemas, tens of milliseconds
 * before a first ACME request. The bundle (scripts/bundle.mjs) hands this file to acme-client's
 * own files in place of `./crypto`; the functions below give the same results as acme-client
 * 5.4's (test/unit/acme-light-crypto.test.ts compares them). The rest of that module is only
 * reached through calls certdocs does not make (auto mode, verifyChallenge, preferredChain): they
 * use the full module once `loadAcmeCrypto()` has loaded it, and say so otherwise.
 */

type FullCrypto = Record<string, (...args: never[]) => unknown>;
let full: FullCrypto | undefined;

/** Called by loadAcmeCrypto(): from then on the functions this file lacks use the full module. */
export function useFullCrypto(mod: object): void {
  full = mod as FullCrypto;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const PEM_BLOCKS = new RegExp(PEM_BLOCK.source, 'g');

/** A JSON Web Key of the key's public part, its members sorted by name (as acme-client's). */
export function getJwk(keyPem: string | Buffer): Record<string, unknown> {
  const jwk = createPublicKey(keyPem).export({ format: 'jwk' }) as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(jwk).sort()) sorted[k] = jwk[k];
  return sorted;
}

/** Each PEM object of a chain, re-encoded with 64-character lines (as acme-client's). */
export function splitPemChain(chainPem: string | Buffer): string[] {
  const text = Buffer.isBuffer(chainPem) ? chainPem.toString() : chainPem;
  return [...text.matchAll(PEM_BLOCKS)].map(([, label, body]) => {
    const b64 = Buffer.from((body ?? '').replace(/\s+/g, ''), 'base64').toString('base64');
    const lines = b64.match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
  });
}

/** The first PEM object's body as base64url (the CSR of a finalize, the certificate of a revocation). */
export function getPemBodyAsB64u(pem: string | Buffer): string {
  const text = Buffer.isBuffer(pem) ? pem.toString() : pem;
  const first = PEM_BLOCK.exec(text);
  if (!first) throw new Error('Unable to parse PEM body from string');
  return Buffer.from((first[2] ?? '').replace(/\s+/g, ''), 'base64').toString('base64url');
}

const fromFull =
  (name: string) =>
  (...args: never[]): unknown => {
    if (!full)
      throw new Error(`acme-client's crypto.${name} is not loaded in this build (certdocs does not use it)`);
    const fn = full[name];
    if (!fn) throw new Error(`acme-client's crypto has no ${name}`);
    return fn(...args);
  };

export const readCertificateInfo = fromFull('readCertificateInfo');
export const readCsrDomains = fromFull('readCsrDomains');
export const isAlpnCertificateAuthorizationValid = fromFull('isAlpnCertificateAuthorizationValid');
