import { HttpMcpTransport } from '../../src/adapters/hono/http-mcp-transport.js';
import { createMcpStack } from '../../src/adapters/mcp-sdk/mcp-stack.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

/**
 * The HTTP(S) transport as the container builds it, over the sample docs, on 127.0.0.1 and a free
 * port; `domain` is the name it answers to (Host) and, with `https`, the certificate's.
 */
export async function sampleHttpTransport(opts: {
  https: boolean;
  domain: string;
}): Promise<HttpMcpTransport> {
  // Info, as certdocs runs by default: with debug request lines on, MCP calls would all go through Hono.
  const logger = new MemoryLogger('info');
  const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
  await docs.load();
  const info = { name: 'certdocs', version: '0.0.0-test' };
  return new HttpMcpTransport(docs, async () => createMcpStack(docs, logger, info), logger, {
    host: '127.0.0.1',
    port: 0,
    https: opts.https,
    maxBodyBytes: 64 * 1024,
    guard: { allowedHosts: [opts.domain, '127.0.0.1'], allowedOrigins: [], domains: [opts.domain] },
  });
}
