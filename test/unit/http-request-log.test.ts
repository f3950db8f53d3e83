import type { HttpBindings } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocsHttpApp } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const logger = new MemoryLogger();
const metrics = new RecordingMetrics();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const streamable = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
const sse = new LegacySseEndpoint(() => factory.create(), logger);
const app = createDocsHttpApp({
  guard: { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] },
  maxBodyBytes: 4096,
  docs,
  streamable,
  sse,
  logger,
  metrics,
  scrape: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: 'up 1\n' }),
});
afterAll(async () => {
  await streamable.close();
  await sse.close();
});

const get = (path: string, host = 'localhost:8080') =>
  app.request(path, { headers: { host } }, {} as HttpBindings);

describe('the HTTP routes', () => {
  it('log each request at debug level, with its status and latency but not its query', async () => {
    logger.lines.length = 0;
    await get('/api/search?q=secret+words');
    await get('/healthz', 'evil.example');
    const lines = logger.lines.filter((l) => l.msg === 'HTTP request');
    expect(lines.map((l) => [l.level, l.fields?.method, l.fields?.path, l.fields?.status])).toEqual([
      ['debug', 'GET', '/api/search', 200],
      ['debug', 'GET', '/healthz', 403],
    ]);
    for (const l of lines) expect(l.fields?.ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('record /api/search as the api transport, a refused query as an error', async () => {
    metrics.requests.length = 0;
    await get('/api/search?q=install');
    await get('/api/search?q=install&limit=x');
    expect(metrics.requests.map(({ ms: _, ...r }) => r)).toEqual([
      { transport: 'api', method: 'search', ok: true },
      { transport: 'api', method: 'search', ok: false },
    ]);
  });

  it('serve /metrics as the exposition, behind the Host guard', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toBe('up 1\n');
    expect((await get('/metrics', 'evil.example')).status).toBe(403);
  });
});
