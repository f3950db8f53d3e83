import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpMcpTransport } from '../../src/adapters/hono/http-mcp-transport.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { connectionRefused } from '../harness/https.mjs';

/**
 * `docker stop` sends SIGTERM: a request being answered is finished, not cut off, and streams are
 * closed. Here a tool that takes 400 ms is called and the transport stopped 100 ms into it.
 */
describe('stopping the HTTP transport', () => {
  const logger = new MemoryLogger();
  let transport: HttpMcpTransport | undefined;
  afterEach(() => transport?.stop());

  async function started(drainMs?: number, toolMs = 400) {
    const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
    await docs.load();
    const createServer = () => {
      const server = new McpServer({ name: 'slow', version: '1' });
      server.registerTool('slow', { description: 'takes a while' }, async () => {
        await new Promise((r) => setTimeout(r, toolMs).unref());
        return { content: [{ type: 'text', text: 'finished' }] };
      });
      return server;
    };
    const stack = {
      streamable: new StreamableHttpEndpoint({ createServer, logger }),
      sse: new LegacySseEndpoint(createServer, logger),
    };
    transport = new HttpMcpTransport(docs, async () => stack, logger, {
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 65_536,
      guard: { allowedHosts: ['127.0.0.1'], allowedOrigins: [], domains: [] },
      drainMs,
    });
    return { transport, ...(await transport.start()) };
  }

  const callSlow = (url: string) =>
    fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'slow', arguments: {} },
      }),
    }).then(async (res) => ({ status: res.status, body: await res.text() }));

  it('finishes a request in flight, then closes the port', async () => {
    const { transport: t, url, port } = await started();
    const answer = callSlow(url);
    await new Promise((r) => setTimeout(r, 100));
    await t.stop();
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(body).toContain('finished');
    expect(await connectionRefused(port)).toBe(true);
  });

  it('waits no longer than drainMs for a request that does not finish', async () => {
    const { transport: t, url } = await started(50, 10_000);
    const answer = callSlow(url).catch((e: Error) => ({ status: 0, body: e.message }));
    await new Promise((r) => setTimeout(r, 50));
    const stopping = Date.now();
    await t.stop();
    // Far below the tool's 10 s, with room for a busy machine.
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect((await answer).body).not.toContain('finished');
  });
});
