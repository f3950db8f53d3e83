import type { StoredCertificate } from '../domain/certificate.js';

/** Puts a certificate into service: new TLS handshakes use it, open connections keep theirs. */
export interface CertificateInstaller {
  install(cert: StoredCertificate): void;
}

export const CERTIFICATE_INSTALLER = Symbol.for('certdocs.CertificateInstaller');
