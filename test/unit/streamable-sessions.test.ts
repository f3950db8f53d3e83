import { afterEach, describe, expect, it } from 'vitest';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { initialize, post } from '../support/mcp-requests.js';

const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });

/** Sessions are what a server keeps per client: they must stay bounded (the SDK's leak, 1.32.2). */
describe('Streamable HTTP sessions stay bounded', () => {
  let endpoint: StreamableHttpEndpoint | undefined;
  afterEach(async () => endpoint?.close());

  it('closes the least recently used session beyond maxSessions; its id then answers 404', async () => {
    endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger, maxSessions: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await endpoint.handle(post(initialize), initialize);
      ids.push(res.headers.get('mcp-session-id') as string);
    }
    // Touch the first so the second becomes the least recently used.
    const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
    expect((await endpoint.handle(post(ping, ids[0]), ping)).status).toBe(200);
    await endpoint.handle(post(initialize), initialize);
    expect(endpoint.sessionCount).toBe(3);
    expect((await endpoint.handle(post(ping, ids[1]), ping)).status).toBe(404);
    expect((await endpoint.handle(post(ping, ids[0]), ping)).status).toBe(200);
  });

  it('serves many sessionless requests without opening a session for any of them', async () => {
    endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
    const call = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'search', arguments: { query: 'tls' } },
    };
    for (let i = 0; i < 2000; i++) {
      const res = await endpoint.handle(post(call), call);
      expect(res.status).toBe(200);
    }
    expect(endpoint.sessionCount).toBe(0);
  });
});

describe('Streamable HTTP resource-change notifications', () => {
  let endpoint: StreamableHttpEndpoint | undefined;
  afterEach(async () => endpoint?.close());

  const openSession = async (e: StreamableHttpEndpoint) =>
    (await e.handle(post(initialize), initialize)).headers.get('mcp-session-id') as string;

  it("reach a session's open GET stream", async () => {
    endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
    const session = await openSession(endpoint);
    const res = await endpoint.handle(
      new Request('http://localhost/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': session },
      }),
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    endpoint.broadcastResourcesChanged();
    let text = '';
    while (!text.includes('notifications/resources/list_changed')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('"method":"notifications/resources/list_changed"');
    await reader.cancel();
  });

  it('log a send that fails instead of leaving an unhandled rejection', async () => {
    const log = new MemoryLogger();
    endpoint = new StreamableHttpEndpoint({
      createServer: () => {
        const server = factory.create();
        server.server.sendResourceListChanged = () => Promise.reject(new Error('connection closed'));
        return server;
      },
      logger: log,
    });
    await openSession(endpoint);
    endpoint.broadcastResourcesChanged();
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      log.lines.some((l) => l.level === 'debug' && String(l.fields?.error).includes('connection closed')),
    ).toBe(true);
  });
});
