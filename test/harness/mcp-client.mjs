// @ts-check
/** An MCP SDK client connected to a running certdocs, for the tests and the scripts. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * Connects a Client to `url` (the /mcp endpoint, or /sse with `transport: 'sse'`).
 * @param {string | URL} url
 * @param {{ name?: string, version?: string, transport?: 'streamable-http' | 'sse',
 *   fetch?: import('@modelcontextprotocol/sdk/shared/transport.js').FetchLike,
 *   beforeConnect?: (client: Client) => void }} [options]
 *   `fetch`: e.g. one that trusts Pebble's root; `beforeConnect`: to set notification handlers first.
 * @returns {Promise<Client>}
 */
export async function connectMcp(url, options = {}) {
  const { name = 'certdocs-test', version = '1.0.0', transport = 'streamable-http', fetch } = options;
  const client = new Client({ name, version });
  options.beforeConnect?.(client);
  const endpoint = new URL(url);
  await client.connect(
    transport === 'sse'
      ? new SSEClientTransport(endpoint, { fetch })
      : new StreamableHTTPClientTransport(endpoint, { fetch }),
  );
  return client;
}
