import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpTransport } from '../../src/ports/mcp-transport.js';

/**
 * MCP without a wire: each client gets its own server over a linked in-memory pair, as a session
 * would over HTTP. Counts the notifications it was asked to send.
 */
export class InMemoryMcpTransport implements McpTransport {
  private readonly servers = new Set<McpServer>();
  private accepting = false;
  notificationsSent = 0;

  constructor(private readonly createServer: () => McpServer) {}

  async start(): Promise<{ url?: string }> {
    this.accepting = true;
    return {};
  }

  /** The client end of a new session; throws once stopped (or before start), like a refused connection. */
  async connectClient(): Promise<Transport> {
    if (!this.accepting) throw new Error('InMemoryMcpTransport is not accepting clients');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = this.createServer();
    server.server.onclose = () => this.servers.delete(server);
    await server.connect(serverSide);
    this.servers.add(server);
    return clientSide;
  }

  get sessionCount(): number {
    return this.servers.size;
  }

  notifyResourcesChanged(): void {
    for (const server of this.servers) {
      this.notificationsSent++;
      server.server.sendResourceListChanged().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.servers].map((s) => s.close()));
    this.servers.clear();
  }
}
