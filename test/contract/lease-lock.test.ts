import { RedisLeaseLock } from '../../src/adapters/redis/redis-lease-lock.js';
import { InMemoryLeaseLock } from '../fakes/in-memory-lease-lock.js';
import { runLeaseLockContract } from './lease-lock.contract.js';
import { describeWithRedis } from './redis-server.js';

runLeaseLockContract('InMemoryLeaseLock', async () => {
  const lock = new InMemoryLeaseLock();
  return { lock, replica: lock, cleanup: async () => {} };
});

describeWithRedis('RedisLeaseLock on a real redis-server', (shared) => {
  runLeaseLockContract('RedisLeaseLock', async () => {
    const a = shared.connect();
    const b = shared.connect();
    return {
      lock: new RedisLeaseLock(a.redis, a.prefix),
      replica: new RedisLeaseLock(b.redis, a.prefix),
      cleanup: async () => {
        await a.cleanup();
        await b.cleanup();
      },
    };
  });
});
