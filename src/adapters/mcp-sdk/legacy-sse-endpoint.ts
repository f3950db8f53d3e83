import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Logger } from '../../ports/logger.js';

/**
 * The 2024-11-05 HTTP+SSE transport (`GET /sse` + `POST /message`), as the original server spoke it,
 * for older clients and Gemini CLI's `url` setting. The SDK's transport needs Node's raw response.
 */
export class LegacySseEndpoint {
  private readonly sessions = new Map<
    string,
    { transport: SSEServerTransport; server: McpServer; owner?: string }
  >();

  constructor(
    private readonly createServer: () => McpServer,
    private readonly logger: Logger,
    private readonly messagePath = '/message',
  ) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** `owner`: the verified caller (access control on); only they may post to the session. */
  async open(res: ServerResponse, owner?: string): Promise<void> {
    const transport = new SSEServerTransport(this.messagePath, res);
    const server = this.createServer();
    const id = transport.sessionId;
    this.sessions.set(id, { transport, server, owner });
    transport.onclose = () => {
      this.sessions.delete(id);
      this.logger.debug('legacy SSE session closed', { session: id });
    };
    res.on('close', () => void server.close());
    await server.connect(transport);
  }

  /** Returns false when the session is unknown (the caller answers 404). */
  async post(
    sessionId: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    owner?: string,
  ): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || session.owner !== owner) return false;
    await session.transport.handlePostMessage(req, res, body);
    return true;
  }

  broadcastResourcesChanged(): void {
    for (const [id, s] of this.sessions) {
      // The low-level call, whose promise McpServer's wrapper drops: a send on a closed stream
      // would be an unhandled rejection.
      if (!s.server.isConnected()) continue;
      s.server.server.sendResourceListChanged().catch((e: unknown) =>
        this.logger.debug('could not notify a legacy SSE session of the changed resources', {
          session: id,
          error: String(e),
        }),
      );
    }
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions.values()]) await s.server.close();
    this.sessions.clear();
  }
}
