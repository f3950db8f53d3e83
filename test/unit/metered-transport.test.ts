import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DocsMcpServerFactory, TOOL_NAMES } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { StdioMcpTransport } from '../../src/adapters/mcp-sdk/stdio-mcp-transport.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { initialize, post } from '../support/mcp-requests.js';

const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const info = { name: 'certdocs', version: '0.0.0-test' };

const call = (id: number, name: string, args: object) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Each request an MCP server answers is recorded with its transport, method, tool, outcome and latency. */
describe('MCP requests are recorded', () => {
  let endpoint: StreamableHttpEndpoint | undefined;
  afterEach(async () => endpoint?.close());

  function streamable() {
    const metrics = new RecordingMetrics();
    const factory = new DocsMcpServerFactory(docs, logger, info, metrics);
    endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create('streamable-http'), logger });
    const send = (m: object, session?: string) =>
      (endpoint as StreamableHttpEndpoint).handle(post(m, session), m);
    return { metrics, send };
  }

  it('by method and tool, ok or not, with a latency', async () => {
    const { metrics, send } = streamable();
    const session = (await send(initialize)).headers.get('mcp-session-id') as string;
    await send({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    await send(call(2, 'search', { query: 'install' }), session);
    await send(call(3, 'fetch', { id: 'no-such-doc' })); // stateless, a domain error
    await send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect(metrics.requests.map(({ ms: _, ...r }) => r)).toEqual([
      { transport: 'streamable-http', method: 'initialize', tool: undefined, ok: true },
      { transport: 'streamable-http', method: 'tools/call', tool: 'search', ok: true },
      { transport: 'streamable-http', method: 'tools/call', tool: 'fetch', ok: false },
      { transport: 'streamable-http', method: 'tools/list', tool: undefined, ok: true },
    ]);
    for (const r of metrics.requests) expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('names a client chose that the server does not know as "other"', async () => {
    const { metrics, send } = streamable();
    await send(call(1, 'rm_rf_everything', {}));
    await send({ jsonrpc: '2.0', id: 2, method: 'made/up-method-123' });
    expect(metrics.requests.map(({ ms: _, ...r }) => r)).toEqual([
      { transport: 'streamable-http', method: 'tools/call', tool: 'other', ok: false },
      { transport: 'streamable-http', method: 'other', tool: undefined, ok: false },
    ]);
  });

  it('counts every tool the server offers under its own name', async () => {
    const { send } = streamable();
    const res = await send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const { result } = (await res.json()) as { result: { tools: { name: string }[] } };
    expect(new Set(result.tools.map((t) => t.name))).toEqual(TOOL_NAMES);
  });

  it('over stdio, under its name', async () => {
    const metrics = new RecordingMetrics();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stdio = new StdioMcpTransport(async () => new DocsMcpServerFactory(docs, logger, info, metrics), {
      stdin,
      stdout,
    });
    await stdio.start();
    const replied = new Promise((resolve) => stdout.once('data', resolve));
    stdin.write(`${JSON.stringify(call(7, 'search', { query: 'install' }))}\n`);
    await replied;
    await stdio.stop();
    expect(metrics.requests.map(({ ms: _, ...r }) => r)).toEqual([
      { transport: 'stdio', method: 'tools/call', tool: 'search', ok: true },
    ]);
  });

  it('records nothing without a transport name (the server is not metered)', async () => {
    const metrics = new RecordingMetrics();
    const factory = new DocsMcpServerFactory(docs, logger, info, metrics);
    endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
    await endpoint.handle(
      post(call(1, 'search', { query: 'install' })),
      call(1, 'search', { query: 'install' }),
    );
    expect(metrics.requests).toEqual([]);
  });
});
