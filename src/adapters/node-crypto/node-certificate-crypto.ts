import { createPrivateKey, generateKeyPair, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type { CertificateInfo, StoredCertificate } from '../../domain/certificate.js';
import type { CertificateCrypto } from '../../ports/certificate-crypto.js';
import { loadAcmeCrypto } from '../acme-client/load-acme-lib.js';
import { authorityKeyIdentifier } from './authority-key-identifier.js';
import { certificateRequestPem } from './certificate-request.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * ECDSA P-256 keys, CSRs and X.509 inspection with node:crypto. A key node-crypto does not sign
 * CSRs with (not EC or RSA) gets its CSR from acme-client's crypto, loaded only then.
 */
export class NodeCertificateCrypto implements CertificateCrypto {
  async newKey(): Promise<string> {
    const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  async createCsr(domains: readonly string[], keyPem: string): Promise<string> {
    const own = certificateRequestPem(domains, keyPem);
    if (own) return own;
    const acmeCrypto = await loadAcmeCrypto();
    const [, csr] = await acmeCrypto.createCsr({ commonName: domains[0], altNames: [...domains] }, keyPem);
    return csr.toString();
  }

  inspect(cert: StoredCertificate): CertificateInfo | undefined {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(firstPem(cert.certPem));
    } catch {
      return undefined;
    }
    let keyMatches = false;
    try {
      keyMatches = x509.checkPrivateKey(createPrivateKey(cert.keyPem));
    } catch {
      keyMatches = false;
    }
    const names = (x509.subjectAltName ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4).toLowerCase());
    const serial = serialBytes(x509.serialNumber);
    const aki = authorityKeyIdentifier(x509.raw);
    return {
      names,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      issuer: x509.issuer.replace(/\n/g, ', '),
      serialHex: serial.toString('hex'),
      ariId: aki ? `${aki.toString('base64url')}.${serial.toString('base64url')}` : undefined,
      keyMatches,
    };
  }
}

function firstPem(chain: string): string {
  const m = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!m) throw new Error('no PEM certificate');
  return m[0];
}

/** The DER INTEGER content of the serial: a leading 0x00 when the high bit is set, as ARI requires. */
function serialBytes(hex: string): Buffer {
  const even = hex.length % 2 ? `0${hex}` : hex;
  const bytes = Buffer.from(even, 'hex');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}
