import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpTransport } from '../../ports/mcp-transport.js';
import type { DocsMcpServerFactory } from './docs-mcp-server.js';

/** MCP over stdin/stdout, for IDE agents that spawn the server as a child process. */
export class StdioMcpTransport implements McpTransport {
  private server: McpServer | undefined;

  constructor(private readonly factory: DocsMcpServerFactory) {}

  async start(): Promise<{ url?: string }> {
    this.server = this.factory.create();
    await this.server.connect(new StdioServerTransport());
    return {};
  }

  notifyResourcesChanged(): void {
    void this.server?.sendResourceListChanged();
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
