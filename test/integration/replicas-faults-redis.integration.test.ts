/**
 * Part 7, the rest of issue 11's tests: three replicas on one redis-server and one Pebble, with
 * Pebble's HTTP-01 requests going through a round-robin TCP proxy to the three challenge ports
 * (so validation hits whichever replica is next, not the one that ordered).
 *
 * - Started at the same moment: exactly one order, all three serve one serial; `cert renew
 *   --force` on the shared store: exactly one more, all three swap without a restart. Prints
 *   `[timing]` lines for docs/benchmarks.md.
 * - The lease holder dies in the middle of its order (its CA call never returns, it stops renewing
 *   its lease and answering challenges, as a killed process would): once the lease runs out another
 *   replica takes it and completes issuance; the live replicas serve that certificate.
 * - A holder paused right after its pre-save lease check wakes once another replica has taken the
 *   lease over and saved: the real Redis store refuses its late save (a stale fencing token), and it
 *   serves the certificate that was stored.
 *
 * Each test has its own redis-server (an empty store, as a fleet's first start) and its own fleet.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AcmeClientAdapter } from '../../src/adapters/acme-client/acme-client-adapter.js';
import { KeySealer } from '../../src/adapters/redis/key-sealer.js';
import { RedisCertStore } from '../../src/adapters/redis/redis-cert-store.js';
import { RedisConnection } from '../../src/adapters/redis/redis-connection.js';
import { RedisLeaseLock } from '../../src/adapters/redis/redis-lease-lock.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { runCertCommand } from '../../src/app/cert-cli.js';
import { parseCommand } from '../../src/app/command.js';
import { obtainSettings, parseConfig } from '../../src/app/config.js';
import { composeServer } from '../../src/app/container.js';
import type { Application } from '../../src/app/lifecycle.js';
import { AcmeError } from '../../src/domain/acme-errors.js';
import { ACME_CLIENT } from '../../src/ports/acme-client.js';
import { CERT_STORE, type CertStore } from '../../src/ports/cert-store.js';
import { LEASE_LOCK, type LeaseLock } from '../../src/ports/lease-lock.js';
import { LOGGER } from '../../src/ports/logger.js';
import { OBTAIN_SETTINGS } from '../../src/ports/settings.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import { REDIS_MISSING, type RedisHarness, redisAvailable, startRedis } from '../harness/redis.mjs';
import { RoundRobinProxy } from '../harness/round-robin-proxy.mjs';
import { DOMAIN, freePort, LOOPBACK, pebbleSkipReason, peerCertificate } from './https-helpers.js';

const SKIP = pebbleSkipReason() ?? (redisAvailable() ? undefined : REDIS_MISSING);

describe.skipIf(Boolean(SKIP))(
  `replicas on Redis, round-robin HTTP-01 and faults${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    let pebble: PebbleHarness;
    let root: string;
    let tmp: string;
    let agent: https.Agent;
    const STORE_KEY = Buffer.alloc(32, 5).toString('base64');

    beforeAll(async () => {
      pebble = await startPebble();
      root = await pebble.rootPem();
      agent = new https.Agent({ ca: pebble.caCertPem });
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-replicas-faults-'));
      await writeFile(path.join(tmp, 'lighthouse.md'), '# Lighthouse\n\nThe keeper trims the lamp.\n');
    });

    afterAll(async () => {
      agent?.destroy();
      await pebble?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    /** What happened at Pebble, by replica number. */
    interface CaLog {
      readonly orders: number[];
      readonly issued: number[];
    }

    interface ReplicaOptions {
      readonly redis: RedisHarness;
      readonly acmePort: number;
      readonly ca: CaLog;
      /** Shorter than the default 60 s lease, so a dead holder's lease runs out within the test. */
      readonly leaseMs?: number;
      /** Wraps the replica's CA client (to make it hang) and its lease lock (to stop renewing). */
      readonly acme?: (real: AcmeClientAdapter) => AcmeClientAdapter;
      readonly lock?: LeaseLock;
      /** Stands in for the replica's CertStore (to pause it in the middle of a save). */
      readonly store?: CertStore;
      readonly logger?: MemoryLogger;
    }

    /** Replica `i` as main composes it with --store redis, counting its orders and certificates. */
    const replica = async (i: number, o: ReplicaOptions): Promise<Application> => {
      const parsed = parseConfig(
        [
          ...['--docs', tmp, '--log-level', 'error', '--domain', DOMAIN],
          ...['--acme-directory', pebble.directoryUrl, '--accept-tos', '--host', LOOPBACK, '--port', '0'],
          ...['--acme-port', String(o.acmePort), '--certs-dir', await mkdtemp(path.join(tmp, `certs-${i}-`))],
          ...['--store', 'redis', '--redis-url', o.redis.url, '--store-key', STORE_KEY],
        ],
        {},
      );
      if (parsed.ok !== true || !parsed.config.acme) throw new Error(JSON.stringify(parsed));
      const acme = parsed.config.acme;
      return composeServer(parsed.config, {
        override: (c) => {
          const real = new AcmeClientAdapter(
            { directoryUrl: pebble.directoryUrl, httpsAgent: agent },
            new SystemClock(),
          );
          const placeOrder = real.newOrder.bind(real);
          real.newOrder = (req) => {
            o.ca.orders.push(i);
            return placeOrder(req);
          };
          const finalize = real.finalize.bind(real);
          real.finalize = async (order, csr) => {
            const pem = await finalize(order, csr);
            o.ca.issued.push(i);
            return pem;
          };
          c.register(ACME_CLIENT, { useValue: o.acme ? o.acme(real) : real });
          if (o.leaseMs)
            c.register(OBTAIN_SETTINGS, {
              useValue: { ...obtainSettings(acme), coordination: { leaseMs: o.leaseMs, pollMs: 200 } },
            });
          if (o.lock) c.register(LEASE_LOCK, { useValue: o.lock });
          if (o.store) c.register(CERT_STORE, { useValue: o.store });
          if (o.logger) c.register(LOGGER, { useValue: o.logger });
        },
      });
    };

    /** The serial each port serves now, read from a TLS handshake. */
    const servedSerials = (ports: readonly number[]) =>
      Promise.all(
        ports.map(async (port) => {
          const { authorized, chain } = await peerCertificate(port, root);
          expect(authorized).toBe(true);
          return chain[0]?.serialNumber;
        }),
      );

    /** Polls until every port serves one serial other than `old`, for at most `ms`. */
    const untilAllServeNew = async (ports: readonly number[], old: string | undefined, ms: number) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const serials = await servedSerials(ports);
        if (new Set(serials).size === 1 && serials[0] !== undefined && serials[0] !== old) return serials;
        if (Date.now() > deadline) return serials;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const portOf = ({ url }: { url?: string }) => Number(new URL(url ?? 'missing:').port);

    it('round-robin HTTP-01: three replicas started together order once and serve one serial; `cert renew --force`: one more order, all swap', {
      timeout: 120_000,
    }, async () => {
      const redis = await startRedis();
      const acmePorts = [await freePort(), await freePort(), await freePort()];
      const proxy = new RoundRobinProxy(acmePorts);
      await proxy.listen(pebble.httpPort);
      const ca: CaLog = { orders: [], issued: [] };
      const apps = await Promise.all(acmePorts.map((acmePort, i) => replica(i, { redis, acmePort, ca })));
      onTestFinished(async () => {
        await Promise.all(apps.map((a) => a.stop()));
        await proxy.close();
        await redis.stop();
      });

      const t0 = performance.now();
      const ports = (await Promise.all(apps.map((a) => a.start()))).map(portOf);
      const first = await untilAllServeNew(ports, undefined, 10_000);
      const firstMs = performance.now() - t0;
      console.log(
        `[timing] start → all 3 replicas serve the same fresh certificate: ${Math.round(firstMs)} ms`,
      );

      expect(ca.orders).toHaveLength(1);
      expect(ca.issued).toHaveLength(1);
      expect(new Set(first).size).toBe(1);
      expect(first[0]).toBeDefined();
      const validations = proxy.hits.length;
      expect(validations).toBeGreaterThanOrEqual(1);

      // The forced renewal, as an operator types it: the CLI asks the fleet through Redis.
      const command = parseCommand(
        [
          ...['cert', 'renew', '--force', '--domain', DOMAIN, '--acme-directory', pebble.directoryUrl],
          ...['--certs-dir', await mkdtemp(path.join(tmp, 'certs-cli-')), '--log-level', 'error'],
          ...['--store', 'redis', '--redis-url', redis.url, '--store-key', STORE_KEY],
        ],
        {},
      );
      if (command.kind !== 'cert') throw new Error(JSON.stringify(command));
      const t1 = performance.now();
      const code = await runCertCommand(command, {
        override: (c) =>
          c.register(ACME_CLIENT, {
            useValue: new Proxy(
              {},
              {
                get: () => () => {
                  throw new Error('the CLI must not talk to the CA when replicas are running');
                },
              },
            ),
          }),
      });
      expect(code).toBe(0);
      const second = await untilAllServeNew(ports, first[0], 10_000);
      const renewMs = performance.now() - t1;
      console.log(
        `[timing] cert renew --force → all 3 replicas serve the new certificate: ${Math.round(renewMs)} ms`,
      );
      console.log(
        `[proxy] HTTP-01 connections, by the index of the replica they reached: ${proxy.hits.map((p) => acmePorts.indexOf(p)).join(',')}`,
      );

      expect(new Set(second).size).toBe(1);
      expect(second[0]).not.toBe(first[0]);
      expect(ca.orders).toHaveLength(2);
      expect(ca.issued).toHaveLength(2);
      expect(proxy.hits.length).toBeGreaterThan(validations);
      // Round robin: the CA's validation requests reached more than one replica, not only the orderer.
      expect(new Set(proxy.hits).size).toBeGreaterThan(1);
      // The same processes, no restart: each still answers on the port it started with.
      expect(await servedSerials(ports)).toEqual(second);
    });

    it('the lease holder dies mid-order: after its lease runs out another replica takes it and completes issuance; the live ones serve it', {
      timeout: 120_000,
    }, async () => {
      const LEASE_MS = 3000;
      const redis = await startRedis();
      const acmePorts = [await freePort(), await freePort(), await freePort()];
      const proxy = new RoundRobinProxy(acmePorts);
      await proxy.listen(pebble.httpPort);
      const ca: CaLog = { orders: [], issued: [] };

      // Whichever replica first reaches finalize holds the lease (only the holder orders): it dies
      // there. From then on its CA call never returns and it touches Redis no more (no renewal, no
      // release), and the proxy stops sending it challenges: a killed process, minus the exit.
      let dead: number | undefined;
      let diedAt = 0;
      let died: () => void = () => {};
      const death = new Promise<void>((resolve) => {
        died = resolve;
      });
      let wakeTheDead: (e: Error) => void = () => {};
      const never = new Promise<string>((_, reject) => {
        wakeTheDead = reject;
      });
      never.catch(() => {});
      const connections: RedisConnection[] = [];
      const apps = await Promise.all(
        acmePorts.map((acmePort, i) => {
          const connection = new RedisConnection(redis.url);
          connections.push(connection);
          const lock = new RedisLeaseLock(connection);
          const mortalLock: LeaseLock = {
            tryAcquire: async (name, ms) => {
              if (dead === i) return undefined; // a dead process asks for nothing
              const lease = await lock.tryAcquire(name, ms);
              return (
                lease && {
                  fencingToken: lease.fencingToken,
                  renew: () => (dead === i ? Promise.resolve(false) : lease.renew()),
                  release: () => (dead === i ? Promise.resolve(false) : lease.release()),
                }
              );
            },
          };
          return replica(i, {
            redis,
            acmePort,
            ca,
            leaseMs: LEASE_MS,
            lock: mortalLock,
            acme: (real) => {
              const finalize = real.finalize.bind(real);
              real.finalize = (order, csr) => {
                if (dead !== undefined) return finalize(order, csr);
                dead = i;
                diedAt = performance.now();
                proxy.down.add(acmePort);
                died();
                return never;
              };
              return real;
            },
          });
        }),
      );
      onTestFinished(async () => {
        // Stopping aborts the dead replica's order; its hung CA call then fails as a network error would.
        const stopping = Promise.all(apps.map((a) => a.stop()));
        wakeTheDead(new AcmeError('acme.error', 'the test is over'));
        await stopping;
        await Promise.all(connections.map((c) => c.close()));
        await proxy.close();
        await redis.stop();
      });

      const starting = apps.map((a) => a.start());
      for (const s of starting) s.catch(() => {});
      await death;
      const holder = dead as number;
      const survivors = [0, 1, 2].filter((i) => i !== holder);
      const ports = (await Promise.all(survivors.map((i) => starting[i] as Promise<{ url?: string }>))).map(
        portOf,
      );
      const tookOverMs = performance.now() - diedAt;
      console.log(
        `[timing] holder died mid-order → another replica issued and started serving: ${Math.round(tookOverMs)} ms (lease ${LEASE_MS} ms)`,
      );

      // The dead holder placed one order and never finalized it; exactly one survivor ordered after
      // it, and that is the one certificate Pebble issued.
      expect(ca.orders.filter((i) => i === holder)).toHaveLength(1);
      expect(ca.orders[0]).toBe(holder);
      expect(ca.orders.filter((i) => i !== holder)).toHaveLength(1);
      expect(ca.issued).toHaveLength(1);
      expect(ca.issued[0]).not.toBe(holder);
      // Not before the lease ran out: the holder renewed it every LEASE_MS / 3 until it died, so it
      // lasted about 2/3 of LEASE_MS or more after the death (the survivors never ordered under it).
      // Within the lease after that: the lease runs out at most LEASE_MS after the holder's last
      // renewal, a waiter looks every 200 ms, then one order at Pebble (no sleeps: PEBBLE_VA_NOSLEEP).
      expect(tookOverMs).toBeGreaterThan(LEASE_MS / 2);
      expect(tookOverMs).toBeLessThan(2 * LEASE_MS + 3000);
      const serials = await untilAllServeNew(ports, undefined, 10_000);
      expect(serials).toHaveLength(2);
      expect(new Set(serials).size).toBe(1);
      expect(serials[0]).toBeDefined();
      // The dead replica never got as far as serving.
      let deadStarted = false;
      void (starting[holder] as Promise<unknown>).then(() => {
        deadStarted = true;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(deadStarted).toBe(false);
    });

    it('a holder paused between its lease check and its save wakes after another replica saved: Redis refuses the late save, and it serves the stored certificate', {
      timeout: 60_000,
    }, async () => {
      const LEASE_MS = 3000;
      const redis = await startRedis();
      const acmePorts = [await freePort(), await freePort()];
      const proxy = new RoundRobinProxy(acmePorts);
      await proxy.listen(pebble.httpPort);
      const ca: CaLog = { orders: [], issued: [] };
      const connection = new RedisConnection(redis.url);
      // Replica 0 stops (GC, a frozen VM) as it calls save, its lease check passed: while stopped
      // it renews nothing. Its store and lock are the real Redis adapters, paused by these wrappers.
      let paused = false;
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      let reachedSave: () => void = () => {};
      const atSave = new Promise<void>((resolve) => {
        reachedSave = resolve;
      });
      const realStore = new RedisCertStore(connection, new KeySealer(Buffer.from(STORE_KEY, 'base64')));
      const pausingStore: CertStore = {
        load: (n) => realStore.load(n),
        location: (n) => realStore.location(n),
        loadAccount: (url) => realStore.loadAccount(url),
        saveAccount: (url, account) => realStore.saveAccount(url, account),
        save: async (n, cert, token) => {
          if (!paused) {
            paused = true;
            reachedSave();
            await woken;
          }
          return realStore.save(n, cert, token);
        },
      };
      const realLock = new RedisLeaseLock(connection);
      const pausingLock: LeaseLock = {
        tryAcquire: async (name, ms) => {
          const lease = await realLock.tryAcquire(name, ms);
          return (
            lease && {
              fencingToken: lease.fencingToken,
              renew: () => (paused ? Promise.resolve(false) : lease.renew()),
              release: () => lease.release(),
            }
          );
        },
      };
      const logger = new MemoryLogger();
      const sleeper = await replica(0, {
        redis,
        acmePort: acmePorts[0] as number,
        ca,
        leaseMs: LEASE_MS,
        store: pausingStore,
        lock: pausingLock,
        logger,
      });
      const other = await replica(1, { redis, acmePort: acmePorts[1] as number, ca, leaseMs: LEASE_MS });
      onTestFinished(async () => {
        wake();
        await Promise.all([sleeper.stop(), other.stop()]);
        await connection.close();
        await proxy.close();
        await redis.stop();
      });

      // Until the other replica listens, the CA's requests go to the one that is running.
      proxy.down.add(acmePorts[1] as number);
      const sleeping = sleeper.start();
      sleeping.catch(() => {});
      await atSave;
      proxy.down.clear();
      expect(ca.issued).toEqual([0]); // its certificate is issued, not yet saved
      // The other replica waits out the lease, takes it over, orders, saves and serves.
      const otherPort = portOf(await other.start());
      const [winner] = await servedSerials([otherPort]);
      expect(ca.issued).toEqual([0, 1]);

      wake();
      const sleeperPort = portOf(await sleeping);
      // The late save was refused by the store; the paused replica serves the winner's certificate.
      expect(await servedSerials([sleeperPort, otherPort])).toEqual([winner, winner]);
      const refusal = logger.lines.find((l) => l.msg.startsWith('the store refused a save'));
      expect(refusal?.fields).toMatchObject({ code: 'store.stale_fencing_token', fence: 1, highestFence: 2 });
      const stored = await (await connection.get()).hGetAll(`certdocs:cert:${DOMAIN}`);
      expect(stored.fence).toBe('2');
      expect(ca.orders).toEqual([0, 1]);
    });
  },
);
