/**
 * A DNS name certdocs may ask a certificate for: lowercase, syntactically valid, no wildcard
 * (wildcards need DNS-01). Made only by parseDomainName, so everything downstream (the order, the
 * renewal policy, the certificate store's file names) trusts it without checking again.
 */
export type DomainName = string & { readonly __brand: 'DomainName' };

/** At least one name; the first names the certificate. */
export type DomainNames = readonly [DomainName, ...DomainName[]];

export type DomainNameProblem = 'invalid' | 'wildcard';

const LABELS = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export function parseDomainName(text: string): DomainName | DomainNameProblem {
  const name = text.trim().toLowerCase();
  if (!LABELS.test(name)) return 'invalid';
  if (name.startsWith('*.')) return 'wildcard';
  return name as DomainName;
}
