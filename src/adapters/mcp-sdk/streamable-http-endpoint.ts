import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../ports/logger.js';
import { BridgeTransport } from './bridge-transport.js';
import { rpcError } from './json-rpc-error.js';

export interface StreamableHttpOptions {
  createServer: () => McpServer;
  logger: Logger;
  /** Sessions idle longer than this (and without an open stream) are closed. */
  sessionIdleMs?: number;
  /** Beyond this many sessions the least recently used one is closed. */
  maxSessions?: number;
  /** Most messages in one batch (default 32): a batch is served one message at a time. */
  maxBatch?: number;
  /** A request the server has not answered after this long gets an error (default 60 s). */
  requestTimeoutMs?: number;
}

interface Session {
  readonly id: string;
  readonly server: McpServer;
  readonly transport: BridgeTransport;
  lastSeen: number;
  readonly streams: Set<ReadableStreamDefaultController<Uint8Array>>;
  /** Who opened the session (with access control on): nobody else may use it. */
  readonly owner?: string;
}

const encoder = new TextEncoder();
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * MCP Streamable HTTP (spec 2025-03-26 and later) on top of long-lived servers:
 * - `initialize` opens a session (its own McpServer, `Mcp-Session-Id` header) so that server→client
 *   notifications such as `resources/list_changed` can reach the client over `GET` (SSE);
 * - requests without a session id are served statelessly by one shared server;
 * - replies are plain JSON, so a request costs one dispatch and no per-request server or validator.
 */
export class StreamableHttpEndpoint {
  private readonly sessions = new Map<string, Session>();
  private readonly shared: { server: McpServer; transport: BridgeTransport };
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly maxBatch: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: StreamableHttpOptions) {
    this.idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.maxBatch = options.maxBatch ?? 32;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    const transport = new BridgeTransport(undefined, this.requestTimeoutMs);
    const server = options.createServer();
    void server.connect(transport);
    this.shared = { server, transport };
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.idleMs));
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** `owner`: the verified caller's subject when access control is on; sessions are bound to it. */
  async handle(req: Request, body?: unknown, owner?: string): Promise<Response> {
    const version = req.headers.get('mcp-protocol-version');
    if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return rpcError(
        400,
        -32000,
        `Unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
      );
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, body, owner);
      case 'GET':
        return this.get(req, owner);
      case 'DELETE':
        return this.delete(req, owner);
      default:
        return new Response(null, { status: 405, headers: { allow: 'GET, POST, DELETE' } });
    }
  }

  /** Tells every session's client that the resource list changed. */
  broadcastResourcesChanged(): void {
    for (const s of this.sessions.values()) {
      // The low-level call, whose promise McpServer's wrapper drops: a failed send would be an
      // unhandled rejection.
      if (!s.server.isConnected()) continue;
      s.server.server.sendResourceListChanged().catch((e: unknown) =>
        this.options.logger.debug('could not notify a session of the changed resources', {
          session: s.id,
          error: String(e),
        }),
      );
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) await this.closeSession(id);
    await this.shared.server.close();
  }

  private async post(req: Request, body: unknown, owner?: string): Promise<Response> {
    if (!JSON_MEDIA_TYPE.test(req.headers.get('content-type') ?? '')) {
      return rpcError(415, -32000, 'Content-Type must be application/json');
    }
    const accept = req.headers.get('accept');
    if (accept && !/application\/json|\*\/\*|text\/event-stream/.test(accept)) {
      return rpcError(406, -32000, 'Accept must include application/json and text/event-stream');
    }
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length === 0) return rpcError(400, -32600, 'Invalid JSON-RPC message: an empty batch');
    if (messages.length > this.maxBatch) {
      return rpcError(400, -32600, `A batch may hold at most ${this.maxBatch} messages`);
    }
    // Checked with the SDK's own schemas before anything runs: a message the server would drop
    // unanswered (bad params, an id that is not a string or an integer) is answered here instead.
    const invalid = messages.findIndex((m) => !isJsonRpc(m));
    if (invalid >= 0) {
      const at = batch ? ` at index ${invalid}` : '';
      return rpcError(400, -32600, `Invalid JSON-RPC message${at}: ${problemOf(messages[invalid])}`);
    }
    const rpc = messages as JSONRPCMessage[];
    const init = rpc.find((m) => 'method' in m && m.method === 'initialize');
    let transport: BridgeTransport;
    let sessionId = req.headers.get('mcp-session-id') ?? undefined;
    if (init) {
      if (rpc.length > 1) return rpcError(400, -32600, 'initialize must be sent on its own');
      const session = await this.openSession(owner);
      transport = session.transport;
      sessionId = session.id;
    } else if (sessionId) {
      const session = this.ownSession(sessionId, owner);
      if (!session) return rpcError(404, -32001, 'Session not found: initialize again');
      this.touch(session);
      transport = session.transport;
    } else {
      transport = this.shared.transport;
    }

    // One message at a time, yielding in between: a batch of searches must not keep /healthz and
    // every other client waiting until its last element is done.
    const replies: JSONRPCMessage[] = [];
    for (const [i, m] of rpc.entries()) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      if ('method' in m && 'id' in m) replies.push(await transport.request(m as JSONRPCRequest));
      else transport.deliver(m);
    }
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (sessionId && transport !== this.shared.transport) headers['mcp-session-id'] = sessionId;
    if (replies.length === 0) return new Response(null, { status: 202, headers });
    const payload = batch ? replies : replies[0];
    if (accept && !/application\/json|\*\/\*/.test(accept)) {
      // A client that only accepts SSE gets its reply as one event.
      headers['content-type'] = 'text/event-stream';
      return new Response(`event: message\ndata: ${JSON.stringify(payload)}\n\n`, { status: 200, headers });
    }
    return new Response(JSON.stringify(payload), { status: 200, headers });
  }

  /** The session's stream of server→client messages (notifications). */
  private get(req: Request, owner?: string): Response {
    if (!(req.headers.get('accept') ?? '').includes('text/event-stream')) {
      return rpcError(406, -32000, 'Accept must include text/event-stream');
    }
    const sessionId = req.headers.get('mcp-session-id');
    if (!sessionId) {
      return new Response(null, { status: 405, headers: { allow: 'POST' } });
    }
    const session = this.ownSession(sessionId, owner);
    if (!session) return rpcError(404, -32001, 'Session not found: initialize again');
    this.touch(session);
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ping: NodeJS.Timeout | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        session.streams.add(c);
        c.enqueue(encoder.encode(': connected\n\n'));
        // Comments keep proxies from closing an idle stream.
        ping = setInterval(() => {
          try {
            c.enqueue(encoder.encode(': ping\n\n'));
          } catch {
            clearInterval(ping);
          }
        }, 20_000);
        ping.unref();
      },
      cancel: () => {
        clearInterval(ping);
        session.streams.delete(controller);
      },
    });
    return new Response(stream, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        'mcp-session-id': session.id,
      },
    });
  }

  private async delete(req: Request, owner?: string): Promise<Response> {
    const sessionId = req.headers.get('mcp-session-id');
    if (!sessionId) return rpcError(400, -32000, 'Mcp-Session-Id header required');
    if (!this.ownSession(sessionId, owner)) return rpcError(404, -32001, 'Session not found');
    await this.closeSession(sessionId);
    return new Response(null, { status: 200 });
  }

  /** Another caller's session is as good as none: a 404 tells a guesser nothing. */
  private ownSession(id: string, owner: string | undefined): Session | undefined {
    const session = this.sessions.get(id);
    return session && session.owner === owner ? session : undefined;
  }

  private async openSession(owner?: string): Promise<Session> {
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest) await this.closeSession(oldest);
    }
    const id = randomUUID();
    const transport = new BridgeTransport(id, this.requestTimeoutMs);
    const server = this.options.createServer();
    const session: Session = { id, server, transport, lastSeen: Date.now(), streams: new Set(), owner };
    transport.onServerMessage = (m) => this.push(session, m);
    await server.connect(transport);
    this.sessions.set(id, session);
    return session;
  }

  private push(session: Session, message: JSONRPCMessage): void {
    const frame = encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    for (const c of session.streams) {
      try {
        c.enqueue(frame);
      } catch {
        session.streams.delete(c);
      }
    }
  }

  /** Keeps the session map in least-recently-used order. */
  private touch(session: Session): void {
    session.lastSeen = Date.now();
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
  }

  private async closeSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    for (const c of session.streams) {
      try {
        c.close();
      } catch {
        // already closed by the client
      }
    }
    await session.server.close();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const s of this.sessions.values()) {
      if (s.lastSeen >= cutoff) break; // LRU order: the rest are newer
      if (s.streams.size === 0) {
        this.options.logger.debug('closing idle MCP session', { session: s.id });
        void this.closeSession(s.id);
      }
    }
  }
}

/** `application/json`, in any case, with or without parameters; not a type that merely contains it. */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(;|$)/i;

function isJsonRpc(m: unknown): boolean {
  return (
    isJSONRPCRequest(m) || isJSONRPCNotification(m) || isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m)
  );
}

/** Why a message is not JSON-RPC, in words that echo none of the client's input. */
function problemOf(m: unknown): string {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not a JSON object';
  const r = m as Record<string, unknown>;
  if (r.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if ('id' in r && !(typeof r.id === 'string' || Number.isInteger(r.id))) {
    return 'id must be a string or an integer';
  }
  if ('method' in r && typeof r.method !== 'string') return 'method must be a string';
  if ('params' in r && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) {
    return 'params must be an object';
  }
  return 'not a request, notification or response';
}
