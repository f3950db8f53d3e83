import type { CertificateInfo, StoredCertificate } from '../domain/certificate.js';

/** Keys, CSRs and certificate inspection; the domain never touches X.509 itself. */
export interface CertificateCrypto {
  /** A new private key (PEM) for a certificate or an account. */
  newKey(): Promise<string>;
  /** A PEM certificate signing request for these DNS names, signed with `keyPem`. */
  createCsr(domains: readonly string[], keyPem: string): Promise<string>;
  /** Reads the leaf certificate of a chain; undefined when it cannot be parsed. */
  inspect(cert: StoredCertificate): CertificateInfo | undefined;
}

export const CERTIFICATE_CRYPTO = Symbol.for('certdocs.CertificateCrypto');
