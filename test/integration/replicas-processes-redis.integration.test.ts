/**
 * Part 7 with real processes: three `certdocs` processes (dist/bin/certdocs.js) sharing one
 * redis-server and one Pebble, with Pebble's HTTP-01 requests going through a round-robin TCP proxy
 * to their three challenge ports, so validation reaches whichever replica is next.
 *
 * - Started at the same moment: exactly one order at Pebble, all three serve one serial over HTTPS;
 *   `certdocs cert renew --force` (a CLI process on the shared store): exactly one more order, and
 *   the same three processes serve the new serial.
 * - SIGKILL the replica holding the order lease while its order waits for validation: another
 *   replica completes issuance once the lease (`--order-lease`) runs out.
 *
 * Orders are counted in Pebble's own log ("Added order …"), whoever placed them. Every wait is on a
 * condition (a TLS handshake, a log line, a held connection), bounded, and fails early with the
 * processes' output if one of them exits.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Cli, runCertdocs, startCertdocs, stopCertdocs } from '../harness/certdocs.mjs';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import { freePorts, running } from '../harness/processes.mjs';
import { REDIS_MISSING, type RedisHarness, redisAvailable, startRedis } from '../harness/redis.mjs';
import { RoundRobinProxy } from '../harness/round-robin-proxy.mjs';
import {
  acmeServeArgs,
  DOMAIN,
  logLines,
  pebbleSkipReason,
  peerCertificate,
  waitFor,
} from './https-helpers.js';

const SKIP = pebbleSkipReason() ?? (redisAvailable() ? undefined : REDIS_MISSING);
const STORE_KEY = Buffer.alloc(32, 11).toString('base64');

describe.skipIf(Boolean(SKIP))(
  `three certdocs processes on one Redis${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    let pebble: PebbleHarness;
    let root: string;
    let tmp: string;
    /** What Pebble logged: orders placed and certificates issued, by anyone. */
    const ca = { orders: 0, issued: 0 };

    beforeAll(async () => {
      pebble = await startPebble({
        onOutputLine: (line) => {
          if (line.includes('Added order')) ca.orders++;
          if (line.includes('Issued certificate serial')) ca.issued++;
        },
      });
      root = await pebble.rootPem();
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-replica-processes-'));
      await writeFile(path.join(tmp, 'lighthouse.md'), '# Lighthouse\n\nThe keeper trims the lamp.\n');
    });

    afterAll(async () => {
      await pebble?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    interface Fleet {
      readonly redis: RedisHarness;
      readonly proxy: RoundRobinProxy;
      readonly acmePorts: number[];
      readonly ports: number[];
      readonly clis: Cli[];
    }

    /**
     * An empty redis-server, the proxy on Pebble's HTTP-01 port, and three replicas launched in one
     * synchronous loop (the same moment); `beforeLaunch` runs just before (to hold the proxy).
     */
    const startFleet = async (extra: string[], beforeLaunch: (proxy: RoundRobinProxy) => void = () => {}) => {
      const redis = await startRedis();
      const ports = await freePorts(6);
      const acmePorts = ports.slice(0, 3);
      const proxy = new RoundRobinProxy(acmePorts);
      await proxy.listen(pebble.httpPort);
      const dirs = await Promise.all([0, 1, 2].map((i) => mkdtemp(path.join(tmp, `certs-${i}-`))));
      const fleet: Fleet = { redis, proxy, acmePorts, ports: ports.slice(3), clis: [] };
      onTestFinished(async () => {
        await Promise.all(fleet.clis.map((c) => stopCertdocs(c, 3000)));
        await proxy.close();
        await redis.stop();
      });
      beforeLaunch(proxy);
      for (const i of [0, 1, 2])
        fleet.clis.push(
          startCertdocs(
            [
              ...acmeServeArgs({
                directoryUrl: pebble.directoryUrl,
                acmePort: acmePorts[i] as number,
                port: fleet.ports[i] as number,
                certsDir: dirs[i] as string,
              }),
              ...['--docs', tmp, '--store', 'redis', '--redis-url', redis.url, '--store-key', STORE_KEY],
              ...extra,
            ],
            { env: { NODE_EXTRA_CA_CERTS: pebble.caCertPath } },
          ),
        );
      return fleet;
    };

    /** The serial served on each port (undefined where no trusted certificate is served yet). */
    const servedSerials = (ports: readonly number[]) =>
      Promise.all(
        ports.map((port) =>
          peerCertificate(port, root).then(
            ({ authorized, chain }) => (authorized ? chain[0]?.serialNumber : undefined),
            () => undefined,
          ),
        ),
      );

    /** Waits until every port serves one and the same serial, other than `old`; returns it. */
    const untilAllServe = (
      what: string,
      clis: Cli[],
      ports: readonly number[],
      old: string | undefined,
      ms: number,
    ) =>
      waitFor(what, ms, clis, async () => {
        const serials = await servedSerials(ports);
        const [first] = serials;
        return first !== undefined && first !== old && serials.every((s) => s === first) ? first : undefined;
      });

    it('started together: one order at Pebble, all three serve one serial; `cert renew --force` from the CLI: one more order, all three swap without a restart', {
      timeout: 60_000,
    }, async () => {
      const before = { ...ca };
      const t0 = performance.now();
      const fleet = await startFleet([]);
      const { clis, ports, proxy } = fleet;
      const first = await untilAllServe(
        'all three replicas to serve one certificate',
        clis,
        ports,
        undefined,
        30_000,
      );
      const startMs = performance.now() - t0;
      console.log(
        `[timing] processes: start → all 3 serve the same fresh certificate: ${Math.round(startMs)} ms`,
      );

      expect(ca.orders - before.orders).toBe(1);
      expect(ca.issued - before.issued).toBe(1);
      const ordering = clis.filter((c) =>
        logLines(c.stderr()).some((l) => l.msg === 'ordering for the replicas'),
      );
      // One lease holder ordered; the other two waited for its certificate (or found it stored).
      expect(ordering).toHaveLength(1);
      expect(proxy.hits.length).toBeGreaterThanOrEqual(1);

      // The operator's command, as typed: it asks the fleet through Redis and waits for the result.
      const pids = clis.map((c) => c.proc.pid);
      const t1 = performance.now();
      const renew = await runCertdocs(
        [
          ...['cert', 'renew', '--force', '--domain', DOMAIN, '--acme-directory', pebble.directoryUrl],
          ...['--certs-dir', await mkdtemp(path.join(tmp, 'certs-cli-')), '--log-level', 'error'],
          ...['--store', 'redis', '--redis-url', fleet.redis.url, '--store-key', STORE_KEY],
        ],
        { env: { NODE_EXTRA_CA_CERTS: pebble.caCertPath }, timeoutMs: 30_000 },
      );
      expect(renew.code, renew.stderr).toBe(0);
      expect(renew.stdout).toContain('asked 3 replica(s) to renew');
      const second = await untilAllServe(
        'all three replicas to serve the renewed certificate',
        clis,
        ports,
        first,
        20_000,
      );
      const renewMs = performance.now() - t1;
      console.log(
        `[timing] processes: cert renew --force → all 3 serve the new certificate: ${Math.round(renewMs)} ms`,
      );
      console.log(
        `[proxy] HTTP-01 connections, by the index of the replica they reached: ${proxy.hits.map((p) => fleet.acmePorts.indexOf(p)).join(',')}`,
      );

      expect(second).not.toBe(first);
      expect(ca.orders - before.orders).toBe(2);
      expect(ca.issued - before.issued).toBe(2);
      // No restart: the same three processes, still running, serve it.
      expect(clis.map((c) => c.proc.pid)).toEqual(pids);
      expect(clis.every((c) => running(c.proc))).toBe(true);
      // Validation went round: more than one replica answered the CA.
      expect(new Set(proxy.hits).size).toBeGreaterThan(1);
    });

    it('SIGKILL the replica holding the lease in the middle of its order: another completes issuance once the lease runs out', {
      timeout: 60_000,
    }, async () => {
      const LEASE_MS = 6000;
      const before = { ...ca };
      // Pebble's validation of the first order is held at the proxy: the holder is then inside its
      // order (placed, challenge accepted, waiting for the authorization).
      const fleet = await startFleet(['--order-lease', `${LEASE_MS / 1000}s`], (proxy) => proxy.hold());
      const { clis, ports, proxy, acmePorts } = fleet;
      await waitFor('Pebble to validate the first order', 30_000, clis, async () =>
        proxy.held.length > 0 ? true : undefined,
      );
      const holder = await waitFor('the lease holder to be known from its log', 5000, clis, async () => {
        const holders = clis.flatMap((c, i) =>
          logLines(c.stderr()).some((l) => l.msg === 'ordering for the replicas') ? [i] : [],
        );
        return holders.length === 1 ? holders[0] : undefined;
      });
      expect(ca.orders - before.orders).toBe(1);

      const dead = clis[holder] as Cli;
      dead.proc.kill('SIGKILL');
      expect((await dead.exited).signal).toBe('SIGKILL');
      const killedAt = performance.now();
      proxy.down.add(acmePorts[holder] as number);
      proxy.release(); // the CA's request now reaches a live replica, which answers from Redis

      const survivors = [0, 1, 2].filter((i) => i !== holder);
      const serial = await untilAllServe(
        'a survivor to take the lease over, issue, and both survivors to serve it',
        survivors.map((i) => clis[i] as Cli),
        survivors.map((i) => ports[i] as number),
        undefined,
        LEASE_MS + 20_000,
      );
      const tookOverMs = performance.now() - killedAt;
      console.log(
        `[timing] processes: lease holder SIGKILLed mid-order → both survivors serve a certificate: ${Math.round(tookOverMs)} ms (lease ${LEASE_MS} ms)`,
      );

      expect(serial).toBeDefined();
      // The dead holder's order was never finalized; one survivor ordered after it and got the one
      // certificate Pebble issued.
      expect(ca.orders - before.orders).toBe(2);
      expect(ca.issued - before.issued).toBe(1);
      const tookOver = survivors.filter((i) =>
        logLines((clis[i] as Cli).stderr()).some((l) => l.msg === 'ordering for the replicas'),
      );
      expect(tookOver).toHaveLength(1);
      // Not under the dead holder's lease (renewed every third of it until the kill), and within
      // one lease after it ran out: waiters look every LEASE_MS / 4, then one order at Pebble.
      expect(tookOverMs).toBeGreaterThan(LEASE_MS / 2);
      expect(tookOverMs).toBeLessThan(2 * LEASE_MS);
    });
  },
);
