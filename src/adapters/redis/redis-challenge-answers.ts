import type { ChallengeAnswers } from '../../ports/challenge-answers.js';
import type { RedisConnection } from './redis-connection.js';

/** `<prefix>http-01:<token>` with a PX expiry: whichever replica the CA reaches finds the answer. */
export class RedisChallengeAnswers implements ChallengeAnswers {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = 'certdocs:',
  ) {}

  private key(token: string): string {
    return `${this.prefix}http-01:${token}`;
  }

  async put(token: string, keyAuthorization: string, ttlMs: number): Promise<void> {
    await (await this.redis.get()).set(this.key(token), keyAuthorization, {
      expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
    });
  }

  async get(token: string): Promise<string | undefined> {
    const value = await (await this.redis.get()).get(this.key(token));
    return value ?? undefined;
  }

  async remove(token: string): Promise<void> {
    await (await this.redis.get()).del(this.key(token));
  }
}
