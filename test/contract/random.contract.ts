import { describe, expect, it } from 'vitest';
import type { Random } from '../../src/ports/random.js';

/** What RenewalScheduler relies on: a draw in [0, 1), so a renewal lands inside its window, never at its end. */
export function runRandomContract(label: string, make: () => Random, options: { varied: boolean }): void {
  describe(`Random contract: ${label}`, () => {
    it('draws numbers in [0, 1)', () => {
      const random = make();
      for (let i = 0; i < 1000; i++) {
        const x = random();
        expect(Number.isFinite(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(1);
      }
    });

    if (options.varied) {
      it('spreads its draws over the interval', () => {
        const random = make();
        const draws = Array.from({ length: 2000 }, () => random());
        expect(draws.filter((x) => x < 0.5).length).toBeGreaterThan(800);
        expect(draws.filter((x) => x >= 0.5).length).toBeGreaterThan(800);
      });
    } else {
      it('repeats its one draw, so a test knows where in the window it lands', () => {
        const random = make();
        expect(new Set(Array.from({ length: 10 }, () => random())).size).toBe(1);
      });
    }
  });
}
