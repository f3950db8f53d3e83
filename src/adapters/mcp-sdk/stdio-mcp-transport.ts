import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpTransport } from '../../ports/mcp-transport.js';
import type { DocsMcpServerFactory } from './docs-mcp-server.js';

/** MCP over stdin/stdout, for IDE agents that spawn the server as a child process. */
export class StdioMcpTransport implements McpTransport {
  private server: McpServer | undefined;

  constructor(private readonly factory: () => Promise<DocsMcpServerFactory>) {}

  async start(): Promise<{ url?: string }> {
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    this.server = (await this.factory()).create();
    await this.server.connect(new StdioServerTransport());
    return {};
  }

  notifyResourcesChanged(): void {
    if (!this.server?.isConnected()) return;
    // The low-level call, whose promise McpServer's wrapper drops (a failed send would be an
    // unhandled rejection). Ignored, not logged: there is no logger here, the SDK's stdio send
    // does not reject today, and a lost notification only means the client lists resources later.
    this.server.server.sendResourceListChanged().catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
