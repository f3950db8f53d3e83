import { PassThrough } from 'node:stream';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { HttpMcpTransport } from '../../src/adapters/hono/http-mcp-transport.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { createMcpStack } from '../../src/adapters/mcp-sdk/mcp-stack.js';
import { StdioMcpTransport } from '../../src/adapters/mcp-sdk/stdio-mcp-transport.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { InMemoryMcpTransport } from '../fakes/in-memory-mcp-transport.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { runMcpTransportContract } from './mcp-transport.contract.js';

const INFO = { name: 'certdocs', version: '0.0.0-test' };

async function sampleDocs() {
  const logger = new MemoryLogger();
  const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
  await docs.load();
  return { docs, logger };
}

// One factory per adapter: their constructor options may change, the contract should not.

async function inMemoryTransport(): Promise<InMemoryMcpTransport> {
  const { docs, logger } = await sampleDocs();
  const factory = new DocsMcpServerFactory(docs, logger, INFO);
  return new InMemoryMcpTransport(() => factory.create());
}

async function stdioTransport(io: { stdin: PassThrough; stdout: PassThrough }): Promise<StdioMcpTransport> {
  const { docs, logger } = await sampleDocs();
  return new StdioMcpTransport(async () => new DocsMcpServerFactory(docs, logger, INFO), io);
}

async function httpTransport(): Promise<HttpMcpTransport> {
  const { docs, logger } = await sampleDocs();
  return new HttpMcpTransport(docs, async () => createMcpStack(docs, logger, INFO), logger, {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024 * 1024,
    guard: { allowedHosts: ['127.0.0.1', 'localhost'], allowedOrigins: [], domains: [] },
  });
}

runMcpTransportContract('InMemoryMcpTransport', async () => {
  const transport = await inMemoryTransport();
  return {
    transport,
    hasUrl: false,
    clientTransport: () => transport.connectClient(),
    cleanup: async () => {},
  };
});

runMcpTransportContract('StdioMcpTransport', async () => {
  // The pipes a parent process would hold: it writes the server's stdin, reads its stdout.
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = await stdioTransport({ stdin, stdout });
  return {
    transport,
    hasUrl: false,
    // Newline-delimited JSON-RPC over two streams is symmetric: the SDK's stdio transport with the
    // pipes swapped is exactly the client's end (StdioClientTransport would spawn a process).
    clientTransport: async () => new StdioServerTransport(stdout, stdin),
    cleanup: async () => {
      stdin.destroy();
      stdout.destroy();
    },
  };
});

runMcpTransportContract('HttpMcpTransport (Streamable HTTP)', async () => {
  const transport = await httpTransport();
  return {
    transport,
    hasUrl: true,
    clientTransport: async ({ url }) => new StreamableHTTPClientTransport(new URL(`${url}/mcp`)),
    cleanup: async () => {},
  };
});

// The same transport through its legacy SSE endpoint, which older clients still use.
runMcpTransportContract('HttpMcpTransport (legacy SSE)', async () => {
  const transport = await httpTransport();
  return {
    transport,
    hasUrl: true,
    clientTransport: async ({ url }) => new SSEClientTransport(new URL(`${url}/sse`)),
    cleanup: async () => {},
  };
});
