/** How MCP clients reach the docs: Streamable HTTP + legacy SSE over HTTP(S), or stdio. */
export interface McpTransport {
  /** Starts accepting clients; resolves with where they connect (nothing for stdio). */
  start(): Promise<{ url?: string; port?: number }>;
  /** Tells connected sessions that the resource list changed (after a corpus refresh). */
  notifyResourcesChanged(): void;
  stop(): Promise<void>;
}

export const MCP_TRANSPORT = Symbol.for('certdocs.McpTransport');
