import { createDocsHttpApp } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import {
  StreamableHttpEndpoint,
  type StreamableHttpOptions,
} from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

export const MAX_BODY = 4096;

/**
 * The real HTTP app in-process (`app.request()`), with the real MCP endpoints over ServeDocs and
 * the sample corpus: what the bad-input and fuzz suites attack.
 */
export async function inProcessDocsApp(endpoint: Partial<StreamableHttpOptions> = {}) {
  const logger = new MemoryLogger();
  const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
  await docs.load();
  const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
  const create = () => factory.create();
  const streamable = new StreamableHttpEndpoint({ createServer: create, logger, ...endpoint });
  const sse = new LegacySseEndpoint(create, logger);
  const app = createDocsHttpApp({
    guard: { allowedHosts: ['localhost'], allowedOrigins: [], domains: [] },
    maxBodyBytes: MAX_BODY,
    docs,
    streamable,
    sse,
    logger,
  });
  return {
    app,
    docs,
    streamable,
    logger,
    close: async () => {
      await streamable.close();
      await sse.close();
    },
  };
}

export const MCP_HEADERS = {
  host: 'localhost',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A stack trace in a response body: what no client mistake may ever produce. */
export const STACK_TRACE = /\n\s+at |\bat \S+ \(\S+:\d+:\d+\)|node_modules\//;
