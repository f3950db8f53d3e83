import { describe, expect, it } from 'vitest';
import { parseDomainName } from '../../src/domain/domain-name.js';

describe('parseDomainName', () => {
  it('lowercases and trims a valid name', () => {
    expect(parseDomainName(' Docs.Example.COM ')).toBe('docs.example.com');
  });

  // A DomainName names the certificate's files, so none of these may ever become one.
  it.each(['../x', '..', 'a/b', '/etc/passwd', 'a\\b', '', 'example', 'a..b.com', '-a.example.com'])(
    'refuses %j',
    (text) => {
      expect(parseDomainName(text)).toBe('invalid');
    },
  );

  it('refuses wildcards, which need DNS-01', () => {
    expect(parseDomainName('*.example.com')).toBe('wildcard');
  });
});
