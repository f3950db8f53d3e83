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
    void this.server?.sendResourceListChanged();
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
