import { InMemoryCertificateEvents } from '../../src/adapters/memory/in-memory-certificate-events.js';
import { RedisCertificateEvents } from '../../src/adapters/redis/redis-certificate-events.js';
import { runCertificateEventsContract } from './certificate-events.contract.js';
import { describeWithRedis } from './redis-server.js';

runCertificateEventsContract('InMemoryCertificateEvents', async () => {
  const events = new InMemoryCertificateEvents();
  return { events, replica: events, cleanup: async () => {} };
});

describeWithRedis('RedisCertificateEvents on a real redis-server', (shared) => {
  runCertificateEventsContract('RedisCertificateEvents', async () => {
    const a = shared.connect();
    // The other replica: connections of its own, the same channels.
    const b = shared.connect();
    const events = new RedisCertificateEvents(a.redis, undefined, a.prefix);
    const replica = new RedisCertificateEvents(b.redis, undefined, a.prefix);
    const unwatchAll: (() => Promise<void>)[] = [];
    for (const e of [events, replica]) {
      const watch = e.watch.bind(e);
      e.watch = async (name, onEvent) => {
        const unwatch = await watch(name, onEvent);
        unwatchAll.push(unwatch);
        return unwatch;
      };
    }
    return {
      events,
      replica,
      cleanup: async () => {
        for (const unwatch of unwatchAll) await unwatch();
        await a.cleanup();
        await b.cleanup();
      },
    };
  });
});
