import type { ObtainSettings } from '../../src/ports/settings.js';
import { names } from './domain-names.js';

/** Settings as unit tests use them: one domain, HTTP-01, terms accepted, no jitter in the backoff. */
export function testObtainSettings(overrides: Partial<ObtainSettings> = {}): ObtainSettings {
  return {
    domains: names('docs.example.com'),
    challenges: ['http-01'],
    directoryUrl: 'https://ca.example/dir',
    acceptTos: true,
    backoff: { initialMs: 60_000, maxMs: 6 * 3_600_000, factor: 2, jitter: 0 },
    ...overrides,
  };
}
