#!/usr/bin/env node
// The "SDK stock stateless pattern" anchor of bench-requests: the MCP SDK's documented stateless
// Streamable HTTP server (its simpleStatelessStreamableHttp example: createMcpExpressApp, and per
// POST a new McpServer and a new StreamableHTTPServerTransport({ sessionIdGenerator: undefined }),
// connected, handed the request, closed when the response closes), with JSON responses. The
// server answers with certdocs' own tools over certdocs' own index (ServeDocs and the tool
// definitions from dist/, the corpus indexed as certdocs does it): only the transport pattern differs.
//
//   node scripts/bench/sdk-stock-stateless.mjs --port N --docs DIR
// Prints one line {"listening":PORT} on stdout once the index is built and it accepts connections.
import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, docs: { type: 'string' } },
  strict: true,
});
if (!values.docs) throw new Error('--docs DIR is required');

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const imp = (p) => import(pathToFileURL(join(DIST, p)).href);
const { ServeDocs } = await imp('domain/serve-docs.js');
const { IndexTools } = await imp('domain/index-tools.js');
const { SystemClock } = await imp('adapters/system/system-clock.js');
const { FsMarkdownDocSource } = await imp('adapters/filesystem/fs-markdown-doc-source.js');
const { MarkedSectionSplitter } = await imp('adapters/marked/marked-section-splitter.js');
const { PorterStemmer } = await imp('adapters/stemmer/porter-stemmer.js');
const { FieldedBm25SearchEngine } = await imp('adapters/minisearch/fielded-bm25-search-engine.js');
const { DocsMcpServerFactory } = await imp('adapters/mcp-sdk/docs-mcp-server.js');

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error: (msg, f) => process.stderr.write(`${msg} ${JSON.stringify(f)}\n`),
};
const tools = new IndexTools(new MarkedSectionSplitter(), new PorterStemmer(), new FieldedBm25SearchEngine());
const docs = new ServeDocs(new FsMarkdownDocSource(values.docs, quiet), new SystemClock(), quiet, tools);
await docs.load();
const info = { name: 'certdocs-stock-anchor', version: '0.0.0' };
const definitions = new DocsMcpServerFactory(docs, quiet, info);

// The SDK example's getServer(): a new McpServer (with its own default validator) and its tools.
const getServer = () => {
  const server = new McpServer(info, {
    capabilities: { resources: { listChanged: true }, tools: { listChanged: false } },
  });
  definitions.register(server);
  return server;
};

const app = createMcpExpressApp();
app.post('/mcp', async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    res.on('close', () => {
      transport.close();
      server.close();
    });
  } catch (error) {
    process.stderr.write(`Error handling MCP request: ${error}\n`);
    if (!res.headersSent) {
      res
        .status(500)
        .json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

const listener = app.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: listener.address().port })}\n`);
});
