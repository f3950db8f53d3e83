import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisConnection } from '../../src/adapters/redis/redis-connection.js';
import { REDIS_MISSING, type RedisHarness, redisAvailable, startRedis } from '../harness/redis.mjs';

/**
 * For a `describe` of Redis contract runs: one redis-server for the describe, and `connect()` gives
 * each test a connection and a key prefix of its own, closed after it.
 */
export function sharedRedis(): {
  server: () => RedisHarness;
  connect: () => { redis: RedisConnection; prefix: string; cleanup: () => Promise<void> };
} {
  let server: RedisHarness | undefined;
  beforeAll(async () => {
    if (redisAvailable()) server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const get = () => {
    if (!server) throw new Error('redis-server did not start');
    return server;
  };
  return {
    server: get,
    connect: () => {
      const redis = new RedisConnection(get().url);
      return { redis, prefix: `test:${randomUUID()}:`, cleanup: () => redis.close() };
    },
  };
}

export type SharedRedis = ReturnType<typeof sharedRedis>;

/** A describe run against a real redis-server; where there is none, one skipped test says why. */
export function describeWithRedis(title: string, body: (shared: SharedRedis) => void): void {
  if (!redisAvailable()) {
    describe(title, () => {
      it.skip(`skipped: ${REDIS_MISSING}`, () => {});
    });
    return;
  }
  describe(title, () => body(sharedRedis()));
}
