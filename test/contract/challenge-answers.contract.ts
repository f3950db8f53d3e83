import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ChallengeAnswers } from '../../src/ports/challenge-answers.js';
import { freshEach } from './fresh-each.js';

export interface MadeAnswers {
  readonly answers: ChallengeAnswers;
  /** The same answers as another replica sees them (the same object where nothing is shared). */
  readonly replica: ChallengeAnswers;
  cleanup(): Promise<void>;
}

/**
 * What every ChallengeAnswers promises: an answer put is got by token, from any replica sharing
 * the store, until removed or expired. Run against the in-memory adapter and Redis.
 */
export function runChallengeAnswersContract(label: string, makeAnswers: () => Promise<MadeAnswers>): void {
  describe(`ChallengeAnswers contract: ${label}`, () => {
    const make = freshEach<MadeAnswers>();
    const fresh = () => make(makeAnswers);

    it('gets what was put, by token, and nothing for another token', async () => {
      const { answers } = await fresh();
      await answers.put('tok_A-1', 'tok_A-1.thumbprint', 60_000);
      expect(await answers.get('tok_A-1')).toBe('tok_A-1.thumbprint');
      expect(await answers.get('tok_B-2')).toBeUndefined();
    });

    it('every replica sharing the store gets it', async () => {
      const { answers, replica } = await fresh();
      await answers.put('tok', 'tok.tp', 60_000);
      expect(await replica.get('tok')).toBe('tok.tp');
      await replica.remove('tok');
      expect(await answers.get('tok')).toBeUndefined();
    });

    it('replaces an answer put again for the same token', async () => {
      const { answers } = await fresh();
      await answers.put('tok', 'old', 60_000);
      await answers.put('tok', 'new', 60_000);
      expect(await answers.get('tok')).toBe('new');
    });

    it('forgets a removed answer; removing an unknown token is no error', async () => {
      const { answers } = await fresh();
      await answers.put('tok', 'tok.tp', 60_000);
      await answers.remove('tok');
      await answers.remove('never-put');
      expect(await answers.get('tok')).toBeUndefined();
    });

    it('forgets an answer once its time is up (one left behind by a crashed replica)', async () => {
      const { answers } = await fresh();
      await answers.put('short', 'short.tp', 100);
      await answers.put('long', 'long.tp', 60_000);
      await delay(250);
      expect(await answers.get('short')).toBeUndefined();
      expect(await answers.get('long')).toBe('long.tp');
    });
  });
}
