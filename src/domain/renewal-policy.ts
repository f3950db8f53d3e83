import { type CertificateInfo, type CertificateProblem, lifetimeMs } from './certificate.js';
import type { DomainName } from './domain-name.js';

const TEN_DAYS = 10 * 86_400_000;

/**
 * When a certificate without an ARI window should be renewed: with a third of its lifetime left,
 * or half for short-lived (< 10 days) certificates, as Let's Encrypt advises for clients without ARI.
 */
export function defaultRenewalTime(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): Date {
  const life = lifetimeMs(info);
  const fraction = life < TEN_DAYS ? 1 / 2 : 1 / 3;
  return new Date(info.notAfter.getTime() - life * fraction);
}

/**
 * Why a stored certificate cannot simply be served as it is, or undefined when it can.
 * Checked in order of severity: a broken pair first, then the names, then time.
 */
export function assessCertificate(
  info: CertificateInfo | undefined,
  domains: readonly DomainName[],
  now: Date,
  renewAt: Date | undefined = info && defaultRenewalTime(info),
): CertificateProblem | undefined {
  if (!info) return 'unparsable';
  if (!info.keyMatches) return 'key_mismatch';
  if (!domains.every((d) => coversName(info.names, d))) return 'names_missing';
  if (now.getTime() >= info.notAfter.getTime()) return 'expired';
  if (renewAt && now.getTime() >= renewAt.getTime()) return 'renewal_due';
  return undefined;
}

/** Still usable for serving while a renewal is attempted. */
export function isServable(problem: CertificateProblem | undefined): boolean {
  return problem === undefined || problem === 'renewal_due';
}

/** `names` come lowercase from the certificate, `domain` lowercase from its parser. */
function coversName(names: readonly string[], d: DomainName): boolean {
  return names.some(
    (n) =>
      n === d ||
      (n.startsWith('*.') && d.endsWith(n.slice(1)) && d.split('.').length === n.split('.').length),
  );
}

export const PROBLEM_TEXT: Record<CertificateProblem, string> = {
  missing: 'no certificate stored yet',
  unparsable: 'the stored certificate cannot be parsed',
  key_mismatch: 'the stored key does not belong to the stored certificate',
  names_missing: 'the stored certificate does not cover every configured domain',
  expired: 'the stored certificate has expired',
  renewal_due: 'the stored certificate is inside its renewal window',
};
