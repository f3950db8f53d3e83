import type { CertificateInfo, StoredCertificate } from '../../src/domain/certificate.js';
import type { CertificateCrypto } from '../../src/ports/certificate-crypto.js';

/**
 * Certificates as readable text, so unit tests run without X.509: the fake CA writes
 * `FAKE-CERT {json}` and the "key" is `FAKE-KEY n`. A key matches when the cert names it.
 */
export interface FakeCertBody {
  names: string[];
  notBefore: string;
  notAfter: string;
  serial: string;
  key: string;
  issuer: string;
  ariId?: string;
}

export class FakeCertificateCrypto implements CertificateCrypto {
  private keys = 0;

  async newKey(): Promise<string> {
    return `FAKE-KEY ${++this.keys}`;
  }

  async createCsr(domains: readonly string[], keyPem: string): Promise<string> {
    return `FAKE-CSR ${JSON.stringify({ domains, key: keyPem })}`;
  }

  inspect(cert: StoredCertificate): CertificateInfo | undefined {
    if (!cert.certPem.startsWith('FAKE-CERT ')) return undefined;
    let body: FakeCertBody;
    try {
      body = JSON.parse(cert.certPem.slice('FAKE-CERT '.length)) as FakeCertBody;
    } catch {
      return undefined;
    }
    return {
      names: body.names,
      notBefore: new Date(body.notBefore),
      notAfter: new Date(body.notAfter),
      issuer: body.issuer,
      serialHex: body.serial,
      ariId: body.ariId,
      keyMatches: body.key === cert.keyPem,
    };
  }
}

export function fakeCertPem(body: FakeCertBody): string {
  return `FAKE-CERT ${JSON.stringify(body)}`;
}
