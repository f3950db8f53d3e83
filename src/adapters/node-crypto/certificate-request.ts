import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';

/**
 * A PKCS #10 certificate signing request (RFC 2986) in DER, built with node:crypto alone: the
 * same request acme-client's createCsr makes (subject CN = the first name, a subjectAltName of
 * every name, keyUsage digitalSignature + keyEncipherment, extensions in an extensionRequest
 * attribute), without loading @peculiar/x509 (~0.7 MB) on the way to a first certificate.
 * Returns undefined for a key it does not sign with (not EC P-256/P-384/P-521 or RSA).
 */
export function certificateRequestPem(domains: readonly string[], keyPem: string): string | undefined {
  const key = createPrivateKey(keyPem);
  const alg = signatureAlgorithm(key);
  if (!alg) return undefined;
  const [first] = domains;
  if (first === undefined) throw new Error('a certificate request needs at least one name');
  const names = domains.includes(first) ? [...domains] : [first, ...domains];
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const extensions = seq(
    seq(oid('2.5.29.15'), octets(bitString(Buffer.from([0xa0]), 5))), // keyUsage
    seq(oid('2.5.29.17'), octets(seq(...names.map((n) => tlv(0x82, Buffer.from(n, 'ascii')))))), // subjectAltName
  );
  const info = seq(
    integer0,
    seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(first, 'utf8'))))), // subject: CN
    spki,
    tlv(0xa0, seq(oid('1.2.840.113549.1.9.14'), set(extensions))), // attributes: extensionRequest
  );
  const signature = sign(alg.hash, info, key);
  const der = seq(info, alg.id, bitString(signature, 0));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** The hash and AlgorithmIdentifier acme-client signs a CSR with for this key. */
function signatureAlgorithm(key: KeyObject): { hash: string; id: Buffer } | undefined {
  if (key.asymmetricKeyType === 'rsa') return { hash: 'sha256', id: seq(oid('1.2.840.113549.1.1.11'), NULL) };
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ecdsa = (hash: string, last: number) => ({ hash, id: seq(oid(`1.2.840.10045.4.3.${last}`)) });
  if (curve === 'prime256v1') return ecdsa('sha256', 2);
  if (curve === 'secp384r1') return ecdsa('sha384', 3);
  if (curve === 'secp521r1') return ecdsa('sha512', 4);
  return undefined;
}

// ---- DER, the few types a CSR needs ----------------------------------------------------------

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
const octets = (value: Buffer) => tlv(0x04, value);
const bitString = (value: Buffer, unusedBits: number) => tlv(0x03, Buffer.from([unusedBits]), value);
const integer0 = Buffer.from([0x02, 0x01, 0x00]);
const NULL = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const base128 = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v % 128) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}
