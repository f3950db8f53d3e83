/**
 * Part 7: replicas sharing one redis-server and one Pebble. Three certdocs applications, composed
 * in-process as main does with `--store redis`, start at the same moment: exactly one order reaches
 * the CA, and all three serve the same certificate.
 *
 * Pebble validates HTTP-01 at one port only, its httpPort, which replica 0 listens on. Replica 0
 * never wins the lease (its LeaseLock is replaced by one that is always taken), so the order is
 * placed by replica 1 or 2 and validated through replica 0: the answers are shared through Redis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AcmeClientAdapter } from '../../src/adapters/acme-client/acme-client-adapter.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { runCertCommand } from '../../src/app/cert-cli.js';
import { parseCommand } from '../../src/app/command.js';
import { parseConfig } from '../../src/app/config.js';
import { composeServer } from '../../src/app/container.js';
import type { Application } from '../../src/app/lifecycle.js';
import { explainStartupFailure } from '../../src/app/startup-error.js';
import { ACME_CLIENT } from '../../src/ports/acme-client.js';
import { LEASE_LOCK } from '../../src/ports/lease-lock.js';
import { LOGGER } from '../../src/ports/logger.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import { REDIS_MISSING, type RedisHarness, redisAvailable, startRedis } from '../harness/redis.mjs';
import { initialize } from '../support/mcp-requests.js';
import {
  connectionRefused,
  DOMAIN,
  freePort,
  httpsGet,
  LOOPBACK,
  pebbleSkipReason,
  peerCertificate,
  pinnedFetch,
} from './https-helpers.js';

const SKIP = pebbleSkipReason() ?? (redisAvailable() ? undefined : REDIS_MISSING);

describe.skipIf(Boolean(SKIP))(`replicas on Redis${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let pebble: PebbleHarness;
  let redis: RedisHarness;
  let root: string;
  let tmp: string;
  let agent: https.Agent;

  beforeAll(async () => {
    [pebble, redis] = await Promise.all([startPebble(), startRedis()]);
    root = await pebble.rootPem();
    agent = new https.Agent({ ca: pebble.caCertPem });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-replicas-'));
    await writeFile(path.join(tmp, 'lighthouse.md'), '# Lighthouse\n\nThe keeper trims the lamp.\n');
  });

  afterAll(async () => {
    agent?.destroy();
    await Promise.all([pebble?.stop(), redis?.stop()]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Orders placed at Pebble, by replica number. */
  const newOrders: number[] = [];
  const STORE_KEY = Buffer.alloc(32, 3).toString('base64');

  interface ReplicaOptions {
    readonly storeKey?: string;
    readonly redisUrl?: string;
    /** Listens on Pebble's HTTP-01 port and orders (replica 0 listens there but never orders). */
    readonly alone?: boolean;
    readonly logger?: MemoryLogger;
  }

  /** Replica `i` as main composes it with --store redis; replica 0 listens on Pebble's HTTP-01 port. */
  const replica = async (i: number, options: ReplicaOptions = {}): Promise<Application> => {
    const { storeKey = STORE_KEY, redisUrl = redis.url, alone = false, logger } = options;
    const parsed = parseConfig(
      [
        '--docs',
        tmp,
        '--log-level',
        'error',
        '--domain',
        DOMAIN,
        '--acme-directory',
        pebble.directoryUrl,
        '--accept-tos',
        '--host',
        LOOPBACK,
        '--port',
        '0',
        '--acme-port',
        String(i === 0 || alone ? pebble.httpPort : await freePort()),
        '--certs-dir',
        await mkdtemp(path.join(tmp, `certs-${i}-`)),
        '--store',
        'redis',
        '--redis-url',
        redisUrl,
        '--store-key',
        storeKey,
      ],
      {},
    );
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    return composeServer(parsed.config, {
      override: (c) => {
        const real = new AcmeClientAdapter(
          { directoryUrl: pebble.directoryUrl, httpsAgent: agent },
          new SystemClock(),
        );
        // Counts the orders placed at Pebble, by replica.
        const placeOrder = real.newOrder.bind(real);
        real.newOrder = (req) => {
          newOrders.push(i);
          return placeOrder(req);
        };
        c.register(ACME_CLIENT, { useValue: real });
        if (logger) c.register(LOGGER, { useValue: logger });
        if (i === 0 && !alone) c.register(LEASE_LOCK, { useValue: { tryAcquire: async () => undefined } });
      },
    });
  };

  it('a replica that starts while Redis is down says so, keeps trying, serves nothing; then orders and serves', {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const logger = new MemoryLogger();
    const app = await replica(9, {
      redisUrl: `redis://:hunter2@${LOOPBACK}:${port}`,
      alone: true,
      logger,
    });
    let later: RedisHarness | undefined;
    onTestFinished(async () => {
      await app.stop();
      await later?.stop();
    });
    let done = false;
    const starting = app.start().finally(() => {
      done = true;
    });
    // About 1.5 s per connection attempt, then 1 s, 2 s … between them.
    for (
      let t = 0;
      t < 100 && logger.lines.filter((l) => l.msg.startsWith('cannot reach Redis')).length < 2;
      t++
    )
      await new Promise((r) => setTimeout(r, 100));
    const warnings = logger.lines.filter((l) => l.msg.startsWith('cannot reach Redis'));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings[0]?.level).toBe('warn');
    expect(warnings[0]?.fields?.redis).toBe(`redis://${LOOPBACK}:${port}`);
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
    expect(done).toBe(false);
    expect(await connectionRefused(pebble.httpPort)).toBe(true); // serving nothing yet

    later = await startRedis({ port, password: 'hunter2' });
    const { url } = await starting;
    const served = Number(new URL(url ?? 'missing:').port);
    expect((await httpsGet(served, '/healthz', root)).status).toBe(200);
    expect(newOrders).toEqual([9]);
    newOrders.length = 0;
  });

  it('a replica stopped while waiting for Redis stops: its start fails and nothing is left running', async () => {
    const app = await replica(8, { redisUrl: `redis://${LOOPBACK}:${await freePort()}`, alone: true });
    const starting = app.start().then(
      () => 'started',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 2500));
    await app.stop();
    expect(await starting).toBe('failed');
    expect(await connectionRefused(pebble.httpPort)).toBe(true);
  });

  /** The fleet the tests below share, started by the first one. */
  let apps: Application[] = [];
  let ports: number[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.stop())));

  /** The serial each replica serves now, read from a TLS handshake. */
  const servedSerials = () =>
    Promise.all(
      ports.map(async (port) => {
        const { authorized, chain } = await peerCertificate(port, root);
        expect(authorized).toBe(true);
        return chain[0]?.serialNumber;
      }),
    );

  /** Polls until every replica serves one serial other than `old`, for at most `ms`. */
  const untilAllServeNew = async (old: string | undefined, ms = 10_000): Promise<string[]> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const serials = await servedSerials();
      if (new Set(serials).size === 1 && serials[0] !== old) return serials as string[];
      if (Date.now() > deadline) return serials as string[];
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('three replicas started together: one order, validated through another replica; all serve one serial', {
    timeout: 60_000,
  }, async () => {
    apps = await Promise.all([0, 1, 2].map((i) => replica(i)));
    const started = await Promise.all(apps.map((a) => a.start()));
    ports = started.map(({ url }) => Number(new URL(url ?? 'missing:').port));

    expect(newOrders).toHaveLength(1);
    expect(newOrders[0]).not.toBe(0);
    for (const port of ports) expect((await httpsGet(port, '/healthz', root)).status).toBe(200);
    const serials = await servedSerials();
    expect(serials[0]).toBeDefined();
    expect(new Set(serials).size).toBe(1);
  });

  it('one replica renews: all three serve the new serial within seconds, without a restart; one more order', {
    timeout: 60_000,
  }, async () => {
    expect(apps).toHaveLength(3);
    const [before] = await servedSerials();
    const orders = newOrders.length;
    const t0 = Date.now();
    await apps[1]?.renewNow?.();
    const after = await untilAllServeNew(before, 5000);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(before);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(newOrders.length).toBe(orders + 1);
  });

  it('`cert renew --force` on the shared store asks the replicas: one of them orders, all three swap', {
    timeout: 60_000,
  }, async () => {
    expect(apps).toHaveLength(3);
    const [before] = await servedSerials();
    const orders = newOrders.length;
    const command = parseCommand(
      [
        'cert',
        'renew',
        '--force',
        '--domain',
        DOMAIN,
        '--acme-directory',
        pebble.directoryUrl,
        '--certs-dir',
        await mkdtemp(path.join(tmp, 'certs-cli-')),
        '--store',
        'redis',
        '--redis-url',
        redis.url,
        '--store-key',
        STORE_KEY,
        '--log-level',
        'error',
      ],
      {},
    );
    if (command.kind !== 'cert') throw new Error(JSON.stringify(command));
    let cliOrders = 0;
    const code = await runCertCommand(command, {
      override: (c) =>
        c.register(ACME_CLIENT, {
          useValue: new Proxy(
            {},
            {
              get: () => () => {
                cliOrders++;
                throw new Error('the CLI must not talk to the CA when replicas are running');
              },
            },
          ),
        }),
    });
    expect(code).toBe(0);
    expect(cliOrders).toBe(0);
    expect(newOrders.length).toBe(orders + 1);
    const after = await untilAllServeNew(before, 5000);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(before);
  });

  it('Redis down for 10 s under MCP requests: none fails; afterwards a renewal reaches all three', {
    timeout: 90_000,
  }, async () => {
    expect(apps).toHaveLength(3);
    const fetch = pinnedFetch(root);
    onTestFinished(() => fetch.agent.destroy());
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    // One session per replica, as a client keeps its session: a server allows 20 initialize calls a
    // minute per client address, and a 10 s outage under load would spend them.
    const sessions = await Promise.all(
      ports.map(async (port) => {
        const init = await fetch(`https://${DOMAIN}:${port}/mcp`, {
          method: 'POST',
          headers,
          body: JSON.stringify(initialize),
        });
        await init.text();
        expect(init.status).toBe(200);
        return init.headers.get('mcp-session-id') ?? '';
      }),
    );
    /** A search in replica `i`'s session: whether it answered 200 and found the doc. */
    const mcpSearch = async (i: number, id: number) => {
      const call = await fetch(`https://${DOMAIN}:${ports[i]}/mcp`, {
        method: 'POST',
        headers: { ...headers, 'mcp-session-id': sessions[i] ?? '' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'search', arguments: { query: 'keeper lamp' } },
        }),
      });
      const body = await call.text();
      return { ok: call.status === 200 && body.includes('lighthouse') && !body.includes('"isError":true') };
    };
    const [before] = await servedSerials();
    const orders = newOrders.length;
    let failed = 0;
    let made = 0;
    let redisBack = false;
    // Rounds at every replica while Redis is away (and just after): bounded, not a flood.
    const load = (async () => {
      for (let round = 0; round < 40 && !redisBack; round++) {
        const results = await Promise.all(
          ports.map((_, i) => mcpSearch(i, 2 + round).catch(() => ({ ok: false }))),
        );
        made += results.length;
        failed += results.filter((r) => !r.ok).length;
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    await redis.restart(10_000); // empty when it returns: no persistence in the tests
    redisBack = true;
    await load;
    expect(made).toBeGreaterThanOrEqual(24); // the load spanned the outage
    expect(failed).toBe(0);
    expect(await servedSerials()).toEqual([before, before, before]);

    // Everything resumes: a renewal is ordered once and every replica swaps to it.
    await apps[2]?.renewNow?.();
    const after = await untilAllServeNew(before, 10_000);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(before);
    expect(newOrders.length).toBe(orders + 1);
  });

  it('a replica with a different --store-key does not start, says so, and orders nothing', async () => {
    const before = newOrders.length;
    const app = await replica(3, { storeKey: Buffer.alloc(32, 9).toString('base64') });
    const failure = await app.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    onTestFinished(() => app.stop());
    expect(explainStartupFailure(failure)?.message).toMatch(/^--store-key \(STORE_KEY\): /);
    expect(newOrders.length).toBe(before);
  });
});
