import { afterEach, describe, expect, it } from 'vitest';
import { createDocsHttpApp } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import {
  StreamableHttpEndpoint,
  type StreamableHttpOptions,
} from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock, minutes, seconds } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { initialize, post } from '../support/mcp-requests.js';

/**
 * What an attacker did on main: 10,000 `initialize` calls evicted a live session (a real client got
 * 404) and 2,000 abandoned sessions were kept for 30 minutes.
 */
const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });

const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

describe('Streamable HTTP sessions under attack', () => {
  let endpoint: StreamableHttpEndpoint | undefined;
  let clock: FakeClock;
  afterEach(async () => endpoint?.close());

  const make = (options: Partial<StreamableHttpOptions> = {}) => {
    clock = new FakeClock();
    endpoint = new StreamableHttpEndpoint({
      createServer: () => factory.create(),
      logger,
      clock,
      ...options,
    });
    return endpoint;
  };
  const open = async (e: StreamableHttpEndpoint, client = '203.0.113.7') => {
    const res = await e.handle(post(initialize), initialize, client);
    return { res, id: res.headers.get('mcp-session-id') as string };
  };

  it('keeps a live session through a flood of initializes from many clients', async () => {
    const e = make({ maxSessions: 20 });
    const live = await open(e, '198.51.100.1');
    expect((await e.handle(post(ping, live.id), ping, '198.51.100.1')).status).toBe(200);
    for (let i = 0; i < 200; i++) {
      const { res } = await open(e, `10.0.${i >> 8}.${i & 255}`);
      expect([200, 503]).toContain(res.status);
    }
    expect(e.sessionCount).toBeLessThanOrEqual(20);
    expect((await e.handle(post(ping, live.id), ping, '198.51.100.1')).status).toBe(200);
  });

  it('refuses a new session with 503 and Retry-After when every session is recently active', async () => {
    const e = make({ maxSessions: 3 });
    for (let i = 0; i < 3; i++) {
      const { id } = await open(e, `10.0.0.${i}`);
      expect((await e.handle(post(ping, id), ping, `10.0.0.${i}`)).status).toBe(200);
    }
    const { res } = await open(e, '10.0.0.9');
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(e.sessionCount).toBe(3);
  });

  it('evicts a session idle past the active window before refusing', async () => {
    const e = make({ maxSessions: 2, activeWindowMs: minutes(5) });
    const old = await open(e, '10.0.0.1');
    await e.handle(post(ping, old.id), ping, '10.0.0.1');
    await clock.advance(minutes(6));
    const fresh = await open(e, '10.0.0.2');
    await e.handle(post(ping, fresh.id), ping, '10.0.0.2');
    expect((await open(e, '10.0.0.3')).res.status).toBe(200);
    expect((await e.handle(post(ping, old.id), ping, '10.0.0.1')).status).toBe(404);
    expect((await e.handle(post(ping, fresh.id), ping, '10.0.0.2')).status).toBe(200);
  });

  it('sweeps sessions that never made a second request within a minute, and keeps used ones', async () => {
    const e = make();
    const used = await open(e, '10.0.0.1');
    await e.handle(post(ping, used.id), ping, '10.0.0.1');
    for (let i = 0; i < 50; i++) await open(e, `10.1.0.${i}`);
    expect(e.sessionCount).toBe(51);
    await clock.advance(seconds(61) + seconds(30));
    expect(e.sessionCount).toBe(1);
    expect((await e.handle(post(ping, used.id), ping, '10.0.0.1')).status).toBe(200);
  });

  it('still closes used sessions once idle for sessionIdleMs', async () => {
    const e = make({ sessionIdleMs: minutes(30) });
    const used = await open(e, '10.0.0.1');
    await e.handle(post(ping, used.id), ping, '10.0.0.1');
    await clock.advance(minutes(29));
    expect(e.sessionCount).toBe(1);
    await clock.advance(minutes(2));
    expect(e.sessionCount).toBe(0);
  });

  it('limits initialize per client: 429 with Retry-After, other clients unaffected, allowed again later', async () => {
    const e = make({ initializeLimit: { max: 5, windowMs: minutes(1) } });
    for (let i = 0; i < 5; i++) expect((await open(e, '192.0.2.1')).res.status).toBe(200);
    const refused = (await open(e, '192.0.2.1')).res;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/initialize/);
    expect((await open(e, '192.0.2.2')).res.status).toBe(200);
    await clock.advance(minutes(1));
    expect((await open(e, '192.0.2.1')).res.status).toBe(200);
  });

  it('counts an IPv6 client by its /64: rotating the interface id does not escape the limit', async () => {
    const e = make({ initializeLimit: { max: 2, windowMs: minutes(1) } });
    expect((await open(e, '2001:db8:1:2::a')).res.status).toBe(200);
    expect((await open(e, '2001:db8:1:2::b')).res.status).toBe(200);
    expect((await open(e, '2001:db8:1:2:ffff::c')).res.status).toBe(429);
    expect((await open(e, '2001:db8:1:3::a')).res.status).toBe(200);
  });
});

describe('the HTTP app hands the remote address to the endpoint', () => {
  it("limits initialize by Node's socket address", async () => {
    const streamable = new StreamableHttpEndpoint({
      createServer: () => factory.create(),
      logger,
      clock: new FakeClock(),
      initializeLimit: { max: 1, windowMs: minutes(1) },
    });
    const sse = new LegacySseEndpoint(() => factory.create(), logger);
    const app = createDocsHttpApp({
      guard: { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] },
      maxBodyBytes: 65_536,
      docs,
      streamable,
      sse,
      logger,
    });
    const from = (remoteAddress: string) =>
      app.request(
        '/mcp',
        {
          method: 'POST',
          headers: { host: 'localhost', 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(initialize),
        },
        { incoming: { socket: { remoteAddress } }, outgoing: {} },
      );
    try {
      expect((await from('192.0.2.1')).status).toBe(200);
      expect((await from('192.0.2.1')).status).toBe(429);
      expect((await from('192.0.2.2')).status).toBe(200);
    } finally {
      await streamable.close();
    }
  });
});
