import type { ChallengeAnswers } from '../../ports/challenge-answers.js';

/** The answers of one process: what a single replica (`--store fs`) needs. */
export class InMemoryChallengeAnswers implements ChallengeAnswers {
  private readonly answers = new Map<string, { value: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(token: string, keyAuthorization: string, ttlMs: number): Promise<void> {
    this.answers.set(token, { value: keyAuthorization, until: this.now() + ttlMs });
  }

  async get(token: string): Promise<string | undefined> {
    const answer = this.answers.get(token);
    if (!answer) return undefined;
    if (answer.until <= this.now()) {
      this.answers.delete(token);
      return undefined;
    }
    return answer.value;
  }

  async remove(token: string): Promise<void> {
    this.answers.delete(token);
  }
}
