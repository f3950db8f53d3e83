import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.js';
import { type RunningApp, startServer } from '../support/start-server.js';

/** --rate-limit from the command line to a 429 on a real socket, keyed by the peer's address. */
describe('--rate-limit on a running server', () => {
  let app: RunningApp | undefined;
  afterAll(() => app?.stop());

  it('limits /api/search per client address and leaves /healthz alone', async () => {
    const parsed = parseConfig(
      ['--host', '127.0.0.1', '--port', '0', '--rate-limit', '2/m', '--log-level', 'silent'],
      {},
    );
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    app = await startServer(parsed.config);
    const get = async (path: string) => (await fetch(`${app?.url}${path}`)).status;
    expect([await get('/api/search?q=tls'), await get('/api/search?q=tls')]).toEqual([200, 200]);
    const limited = await fetch(`${app.url}/api/search?q=tls`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await get('/healthz')).toBe(200);
  });
});
