import { randomBytes } from 'node:crypto';
import type { Lease, LeaseLock } from '../../ports/lease-lock.js';
import type { RedisConnection } from './redis-connection.js';

// Taking the lock and counting the fencing token in one script: a holder paused between the two
// could otherwise get a token greater than a later holder's.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The single-Redis lock: `SET NX PX` with a random value only this holder knows; renewal and
 * release compare that value first (in Lua, so nobody else's lease is ever extended or deleted).
 * `<prefix>lock:<name>` holds the value, `<prefix>lock:<name>:fence` counts acquisitions.
 * Not Redlock: one Redis, whose failure model the README describes.
 */
export class RedisLeaseLock implements LeaseLock {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = 'certdocs:',
  ) {}

  async tryAcquire(name: string, leaseMs: number): Promise<Lease | undefined> {
    const client = await this.redis.get();
    const key = `${this.prefix}lock:${name}`;
    const value = randomBytes(16).toString('hex');
    const ms = String(Math.max(1, Math.ceil(leaseMs)));
    const fence = Number(await client.eval(ACQUIRE, { keys: [key, `${key}:fence`], arguments: [value, ms] }));
    if (!fence) return undefined;
    const run = async (script: string, args: string[]) =>
      Number(await (await this.redis.get()).eval(script, { keys: [key], arguments: args })) === 1;
    return {
      fencingToken: fence,
      renew: () => run(RENEW, [value, ms]),
      release: () => run(RELEASE, [value]),
    };
  }
}
