import { describe, expect, it } from 'vitest';
import { HonoChallengeResponder } from '../../src/adapters/hono/hono-challenge-responder.js';
import { InMemoryChallengeAnswers } from '../../src/adapters/memory/in-memory-challenge-answers.js';
import { RedisChallengeAnswers } from '../../src/adapters/redis/redis-challenge-answers.js';
import { runChallengeAnswersContract } from './challenge-answers.contract.js';
import { describeWithRedis } from './redis-server.js';

runChallengeAnswersContract('InMemoryChallengeAnswers', async () => {
  const answers = new InMemoryChallengeAnswers();
  return { answers, replica: answers, cleanup: async () => {} };
});

describeWithRedis('RedisChallengeAnswers on a real redis-server', (shared) => {
  runChallengeAnswersContract('RedisChallengeAnswers', async () => {
    const a = shared.connect();
    // The other replica: a connection of its own to the same keys.
    const b = shared.connect();
    return {
      answers: new RedisChallengeAnswers(a.redis, a.prefix),
      replica: new RedisChallengeAnswers(b.redis, a.prefix),
      cleanup: async () => {
        await a.cleanup();
        await b.cleanup();
      },
    };
  });

  describe('HTTP-01 through two replicas', () => {
    const responder = (answers: RedisChallengeAnswers) =>
      new HonoChallengeResponder({
        host: '127.0.0.1',
        port: 0,
        domains: ['docs.example.com'],
        httpsPort: 443,
        answers,
      });
    /** GET `path` from a started responder, over HTTP as the CA does. */
    const request = async (r: HonoChallengeResponder, path: string) => {
      const { url } = await r.start();
      try {
        const res = await fetch(`${url}${path}`, { redirect: 'manual' });
        return { status: res.status, text: await res.text() };
      } finally {
        await r.stop();
      }
    };

    it('the replica that did not present the token answers the CA', async () => {
      const a = shared.connect();
      const b = shared.connect();
      try {
        const ordering = responder(new RedisChallengeAnswers(a.redis, a.prefix));
        const other = responder(new RedisChallengeAnswers(b.redis, a.prefix));
        await ordering.present('tok_1', 'tok_1.thumbprint');
        const res = await request(other, '/.well-known/acme-challenge/tok_1');
        expect(res.status).toBe(200);
        expect(res.text).toBe('tok_1.thumbprint');
        await ordering.remove('tok_1');
        expect((await request(other, '/.well-known/acme-challenge/tok_1')).status).toBe(404);
      } finally {
        await a.cleanup();
        await b.cleanup();
      }
    });

    it('answers 503, and stays up, while the answers cannot be read', async () => {
      const stopped = shared.connect();
      const answers = new RedisChallengeAnswers(stopped.redis, stopped.prefix);
      answers.get = async () => {
        throw new Error('The client is closed');
      };
      await stopped.cleanup();
      const res = await request(responder(answers), '/.well-known/acme-challenge/tok_1');
      expect(res.status).toBe(503);
    });
  });
});
