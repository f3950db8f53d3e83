import { type DomainName, type DomainNames, parseDomainName } from '../../src/domain/domain-name.js';

/** A DomainName from a literal that tests know is valid; throws on a typo. */
export function name(text: string): DomainName {
  const parsed = parseDomainName(text);
  if (parsed === 'invalid' || parsed === 'wildcard') throw new Error(`test literal "${text}" is ${parsed}`);
  return parsed;
}

export function names(first: string, ...rest: string[]): DomainNames {
  return [name(first), ...rest.map(name)];
}
