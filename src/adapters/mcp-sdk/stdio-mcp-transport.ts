import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpTransport } from '../../ports/mcp-transport.js';
import type { DocsMcpServerFactory } from './docs-mcp-server.js';

/** MCP over stdin/stdout, for IDE agents that spawn the server as a child process. */
export class StdioMcpTransport implements McpTransport {
  private server: McpServer | undefined;

  /** `io` is for tests, which talk to the server in-process; by default it is the process's stdin/stdout. */
  constructor(
    private readonly factory: () => Promise<DocsMcpServerFactory>,
    private readonly io?: { readonly stdin: Readable; readonly stdout: Writable },
  ) {}

  async start(): Promise<{ url?: string }> {
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    this.server = (await this.factory()).create('stdio');
    await this.server.connect(new StdioServerTransport(this.io?.stdin, this.io?.stdout));
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
