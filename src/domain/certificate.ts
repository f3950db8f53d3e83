/** A certificate chain and its private key, as PEM. */
export interface StoredCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What the domain needs to know about a certificate; read by the CertificateCrypto port. */
export interface CertificateInfo {
  /** DNS names from the subjectAltName extension (lowercase). */
  readonly names: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: string;
  readonly serialHex: string;
  /** RFC 9773 certificate id (base64url AKI "." base64url serial), when the certificate has an AKI. */
  readonly ariId?: string;
  /** Whether the stored private key belongs to the certificate. */
  readonly keyMatches: boolean;
}

/** The ACME challenge types certdocs answers, in the order the operator prefers them. */
export type ChallengeType = 'http-01' | 'tls-alpn-01';

/** External account binding (RFC 8555 §7.3.4): the CA's key id and its HMAC key, base64url. */
export interface ExternalAccountBinding {
  readonly kid: string;
  readonly hmacKey: string;
}

/** ACME account as persisted: its key and, once registered, its URL at one directory. */
export interface AccountRecord {
  readonly keyPem: string;
  readonly url?: string;
}

export type CertificateProblem =
  | 'missing'
  | 'unparsable'
  | 'key_mismatch'
  | 'names_missing'
  | 'expired'
  | 'renewal_due';

export function lifetimeMs(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): number {
  return info.notAfter.getTime() - info.notBefore.getTime();
}
