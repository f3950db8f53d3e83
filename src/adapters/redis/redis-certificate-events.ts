import type { DomainName } from '../../domain/domain-name.js';
import type { CertificateEvent, CertificateEvents } from '../../ports/certificate-events.js';
import type { Logger } from '../../ports/logger.js';
import type { RedisConnection } from './redis-connection.js';

const EVENTS: readonly CertificateEvent[] = ['stored', 'renewal_requested'];
/** Between two tries to subscribe while Redis is away: doubling from 1 s up to 30 s. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Certificate events through Redis pub/sub, on the channel `<prefix>events:<name>`. Announcing
 * uses the shared connection; watching needs a connection of its own (a subscribing client can
 * send nothing else), opened on the first watch and closed with the last. Once subscribed,
 * node-redis subscribes again by itself after Redis comes back.
 */
export class RedisCertificateEvents implements CertificateEvents {
  private subscriber: RedisConnection | undefined;
  private watching = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly logger?: Logger,
    private readonly prefix = 'certdocs:',
  ) {}

  private channel(name: DomainName): string {
    return `${this.prefix}events:${name}`;
  }

  async announce(name: DomainName, event: CertificateEvent): Promise<number> {
    return (await this.redis.get()).publish(this.channel(name), event);
  }

  async watch(name: DomainName, onEvent: (event: CertificateEvent) => void): Promise<() => Promise<void>> {
    this.subscriber ??= this.redis.duplicate();
    const subscriber = this.subscriber;
    this.watching++;
    const channel = this.channel(name);
    const listener = (message: string) => {
      const event = EVENTS.find((e) => e === message);
      if (event) onEvent(event);
    };
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let subscribed: Promise<void> | undefined;
    const subscribe = async (waitMs: number): Promise<void> => {
      try {
        await (await subscriber.get()).subscribe(channel, listener);
      } catch (e) {
        if (stopped) return;
        this.logger?.warn('cannot subscribe to certificate events yet; will try again', {
          redis: subscriber.where,
          error: (e as Error).message,
          retryInMs: waitMs,
        });
        await new Promise<void>((resolve) => {
          retry = setTimeout(resolve, waitMs);
        });
        if (!stopped) await subscribe(Math.min(waitMs * 2, RETRY_MAX_MS));
      }
    };
    // The first try is awaited (events right after watch() are heard); retries run in the background.
    subscribed = subscribe(RETRY_MIN_MS);
    await Promise.race([subscribed, new Promise((r) => setTimeout(r, 2000).unref())]);
    return async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(retry);
      this.watching--;
      if (this.watching === 0) {
        this.subscriber = undefined;
        await subscriber.close(); // unsubscribes everything
      } else {
        await (await subscriber.get()).unsubscribe(channel, listener).catch(() => undefined);
      }
      subscribed = undefined;
    };
  }
}
