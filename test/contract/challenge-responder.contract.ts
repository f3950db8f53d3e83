import { describe, expect, it } from 'vitest';
import type { ChallengeResponder } from '../../src/ports/challenge-responder.js';
import { freshEach } from './fresh-each.js';

export interface MadeResponder {
  readonly responder: ChallengeResponder;
  /** What a CA validating `token` would receive: the body of a 200, or undefined for a 404. */
  answer(token: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/**
 * What every ChallengeResponder promises: a presented key authorization is served for its token
 * until removed, and nothing else is. Run against the in-memory fake and the HTTP adapter.
 */
export function runChallengeResponderContract(
  name: string,
  makeResponder: () => Promise<MadeResponder>,
): void {
  describe(`ChallengeResponder contract: ${name}`, () => {
    const make = freshEach<MadeResponder>();
    const fresh = () => make(makeResponder);

    it('serves the key authorization of a presented token', async () => {
      const { responder, answer } = await fresh();
      await responder.present('tok_A-1', 'tok_A-1.thumbprint');
      expect(await answer('tok_A-1')).toBe('tok_A-1.thumbprint');
    });

    it('answers nothing for a token never presented', async () => {
      const { responder, answer } = await fresh();
      await responder.present('known', 'known.thumbprint');
      expect(await answer('unknown')).toBeUndefined();
    });

    it('keeps several tokens apart', async () => {
      const { responder, answer } = await fresh();
      await responder.present('one', 'one.tp');
      await responder.present('two', 'two.tp');
      expect(await answer('one')).toBe('one.tp');
      expect(await answer('two')).toBe('two.tp');
    });

    it('answers nothing once the token is removed', async () => {
      const { responder, answer } = await fresh();
      await responder.present('tok', 'tok.thumbprint');
      await responder.remove('tok');
      expect(await answer('tok')).toBeUndefined();
      await responder.remove('never-presented');
    });

    it('serves the latest key authorization when a token is presented again', async () => {
      const { responder, answer } = await fresh();
      await responder.present('tok', 'tok.first');
      await responder.present('tok', 'tok.second');
      expect(await answer('tok')).toBe('tok.second');
    });
  });
}
