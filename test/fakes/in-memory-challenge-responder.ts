import type { ChallengeResponder } from '../../src/ports/challenge-responder.js';

export class InMemoryChallengeResponder implements ChallengeResponder {
  private readonly answers = new Map<string, string>();

  async present(token: string, keyAuthorization: string): Promise<void> {
    this.answers.set(token, keyAuthorization);
  }

  async remove(token: string): Promise<void> {
    this.answers.delete(token);
  }

  /** What a validation request for `token` would receive, or undefined (a 404). */
  async answer(token: string): Promise<string | undefined> {
    return this.answers.get(token);
  }

  get presented(): number {
    return this.answers.size;
  }
}
