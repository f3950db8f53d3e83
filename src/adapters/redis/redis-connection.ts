import type { RedisClientType } from 'redis';
import type { Logger } from '../../ports/logger.js';

export type RedisClient = RedisClientType;

/** Attempts (about 1.5 s) before a first connection is given up. */
const FIRST_CONNECT_TRIES = 4;

/**
 * One connection to Redis shared by the Redis adapters of a process. The client library is
 * imported on first use, so a server on `--store fs` never loads it.
 *
 * Commands fail at once while Redis is unreachable (no offline queue): a replica keeps serving what
 * it has, and the callers (orders, challenge look-ups) retry or answer 404 instead of hanging.
 * The URL may carry a password: it is never logged; `where` is the URL without credentials.
 */
export class RedisConnection {
  private connecting: Promise<RedisClient> | undefined;
  private client: RedisClient | undefined;
  private lastErrorLog = 0;
  readonly where: string;

  constructor(
    private readonly url: string,
    private readonly logger?: Logger,
  ) {
    this.where = withoutCredentials(url);
  }

  /** The connected client, connecting on the first call. */
  get(): Promise<RedisClient> {
    this.connecting ??= this.connect().catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  private async connect(): Promise<RedisClient> {
    // The bundle (dist/bin) turns this CommonJS package into a chunk whose only export is
    // `default`; under plain Node the named exports are there too.
    const loaded: typeof import('redis') & { default?: typeof import('redis') } = await import('redis');
    const { createClient } = loaded.default ?? loaded;
    let connected = false;
    const client = createClient({
      url: this.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        // Once connected, keep trying while Redis is away, at most every 2 s: a replica must not
        // give up on it. A first connection gives up after a few tries, so that its caller can say
        // so (a server's start-up logs it and tries again with back-off; a command stops).
        reconnectStrategy: (retries: number, cause: Error) =>
          connected || retries < FIRST_CONNECT_TRIES ? Math.min(100 * 2 ** retries, 2000) : cause,
      },
    }) as unknown as RedisClient;
    client.on('ready', () => {
      connected = true;
    });
    client.on('error', (e: Error) => {
      // One line per 10 s: a Redis outage must not flood the log.
      const now = Date.now();
      if (now - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = now;
      this.logger?.warn('redis connection problem', { redis: this.where, error: e.message });
    });
    try {
      await client.connect();
    } catch (e) {
      client.destroy();
      throw new Error(`cannot connect to Redis at ${this.where}: ${(e as Error).message}`);
    }
    this.client = client;
    return client;
  }

  /**
   * A second connection to the same Redis: a client that subscribes (pub/sub) can send nothing
   * else, so the events have one of their own.
   */
  duplicate(): RedisConnection {
    return new RedisConnection(this.url, this.logger);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    if (!client) return;
    try {
      await client.close();
    } catch {
      client.destroy();
    }
  }
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis';
  }
}
