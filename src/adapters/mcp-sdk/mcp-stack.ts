import type { ServeDocs } from '../../domain/serve-docs.js';
import type { Logger } from '../../ports/logger.js';
import type { Metrics } from '../../ports/metrics.js';
import { DocsMcpServerFactory } from './docs-mcp-server.js';
import { LegacySseEndpoint } from './legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from './streamable-http-endpoint.js';

export interface McpStack {
  readonly streamable: StreamableHttpEndpoint;
  readonly sse: LegacySseEndpoint;
}

/**
 * Everything that needs the MCP SDK (and zod, Ajv), behind one dynamic import: with a domain set,
 * it loads while the certificate is being ordered instead of before.
 */
export function createMcpStack(
  docs: ServeDocs,
  logger: Logger,
  info: { name: string; version: string },
  metrics?: Metrics,
): McpStack {
  const factory = new DocsMcpServerFactory(docs, logger, info, metrics);
  return {
    streamable: new StreamableHttpEndpoint({
      createServer: () => factory.create('streamable-http'),
      direct: factory.directCalls('streamable-http'),
      logger,
    }),
    sse: new LegacySseEndpoint(() => factory.create('sse'), logger),
  };
}
