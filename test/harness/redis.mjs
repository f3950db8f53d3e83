// @ts-check
/**
 * A throwaway redis-server for the tests: a free loopback port, no persistence (`--save ''
 * --appendonly no`), killed by stop() or when this process goes away.
 *
 * Requires the Debian package `redis-server` (7): see scripts/install-test-deps.sh.
 */
import * as net from 'node:net';
import { findOnPath, freePort, LOOPBACK, launch, terminate, waitFor } from './processes.mjs';

const REDIS_BIN = 'redis-server';

/** @returns {boolean} true if `redis-server` is executable on PATH. */
export function redisAvailable() {
  return findOnPath(REDIS_BIN) !== undefined;
}

/** Why the Redis suites are skipped when they are, for `describe.skipIf(...)` titles. */
export const REDIS_MISSING = 'redis-server is not installed (scripts/install-test-deps.sh installs it)';

/**
 * @typedef {object} RedisHarness
 * @property {string} url redis://127.0.0.1:PORT
 * @property {number} port
 * @property {() => Promise<void>} stop Kills the server (SIGTERM, then SIGKILL). Idempotent.
 * @property {(downMs?: number) => Promise<void>} restart Stops it and starts it again on the same
 *   port, empty, after `downMs` (0) without a server there.
 */

/**
 * Answers PING with +PONG over a plain socket: ready for clients.
 * @param {number} port
 * @returns {Promise<true | undefined>}
 */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.destroy();
        // A server with --requirepass answers -NOAUTH: it is up all the same.
        resolve(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH') ? true : undefined);
      }
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}

/**
 * @param {{ startTimeoutMs?: number, port?: number, password?: string }} [options] `port`: one
 *   chosen beforehand (a client was told it while nothing listened there yet); `password`:
 *   `--requirepass` (the url then leaves it out).
 * @returns {Promise<RedisHarness>}
 */
export async function startRedis(options = {}) {
  const { startTimeoutMs = 10_000 } = options;
  const port = options.port ?? (await freePort());
  const start = async () => {
    const child = launch(
      'redis-server',
      REDIS_BIN,
      [
        '--port',
        String(port),
        '--bind',
        LOOPBACK,
        '--save',
        '',
        '--appendonly',
        'no',
        ...(options.password ? ['--requirepass', options.password] : []),
      ],
      { stdout: 'pipe', keepChars: 20_000 },
    );
    await waitFor(`redis-server on ${LOOPBACK}:${port}`, startTimeoutMs, child, () => ping(port));
    return child;
  };
  let child = await start();
  let stopped = false;
  return {
    url: `redis://${LOOPBACK}:${port}`,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate(child);
    },
    restart: async (downMs = 0) => {
      await terminate(child);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      child = await start();
    },
  };
}
