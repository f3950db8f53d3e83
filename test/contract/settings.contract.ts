import { describe, expect, it } from 'vitest';
import { parseDomainName } from '../../src/domain/domain-name.js';
import type { FreshnessSettings, ObtainSettings } from '../../src/ports/settings.js';

/**
 * What the use-cases may take for granted about their settings, since they never check them:
 * whoever makes settings (the config layer, a test's fixture) must keep these promises.
 */
export function runObtainSettingsContract(label: string, make: () => ObtainSettings): void {
  describe(`ObtainSettings contract: ${label}`, () => {
    it('names at least one domain, each a parsed, lowercase name, none twice', () => {
      const { domains } = make();
      expect(domains.length).toBeGreaterThan(0);
      for (const d of domains) expect(parseDomainName(d)).toBe(d);
      expect(new Set(domains).size).toBe(domains.length);
    });

    it('prefers at least one known challenge type, none twice', () => {
      const { challenges } = make();
      expect(challenges.length).toBeGreaterThan(0);
      for (const c of challenges) expect(['http-01', 'tls-alpn-01']).toContain(c);
      expect(new Set(challenges).size).toBe(challenges.length);
    });

    it('points at an http(s) ACME directory', () => {
      expect(new URL(make().directoryUrl).protocol).toMatch(/^https?:$/);
    });

    it('gives external account binding whole, with a base64url HMAC key', () => {
      const { eab } = make();
      if (eab === undefined) return;
      expect(eab.kid).not.toBe('');
      expect(eab.hmacKey).toMatch(/^[A-Za-z0-9_-]+$/);
    });
  });
}

export function runFreshnessSettingsContract(label: string, make: () => FreshnessSettings): void {
  describe(`FreshnessSettings contract: ${label}`, () => {
    it('polls never (0) or at most once a second, in whole milliseconds', () => {
      const { refreshIntervalMs } = make();
      expect(Number.isInteger(refreshIntervalMs)).toBe(true);
      expect(refreshIntervalMs === 0 || refreshIntervalMs >= 1000).toBe(true);
    });
  });
}
