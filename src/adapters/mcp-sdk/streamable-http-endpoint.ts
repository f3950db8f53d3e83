import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ClientRequestSchema,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { Clock, Timer } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { BridgeTransport } from './bridge-transport.js';
import type { DirectToolCalls } from './direct-tool-calls.js';
import { type BodyOwner, type HttpReply, rpcErrorReply, toResponse } from './json-rpc-error.js';
import { surelyRequest, surelyToolCallParams } from './quick-json-rpc.js';

export interface StreamableHttpOptions {
  createServer: () => McpServer;
  /**
   * Answers the calls of certdocs' own tools without going through a server (same validation,
   * same replies); every other message goes to the session's server or the shared one.
   */
  direct?: Pick<DirectToolCalls, 'answer' | 'render'> &
    Partial<Pick<DirectToolCalls, 'renderBytes' | 'release'>>;
  logger: Logger;
  /** Sessions idle longer than this (and without an open stream) are closed (default 30 min). */
  sessionIdleMs?: number;
  /**
   * A session that made no request after its `initialize` is closed this soon (default 60 s): an
   * abandoned session costs an McpServer (~140 KB) and a real client sends `initialized` at once.
   */
  unusedSessionMs?: number;
  /**
   * Most sessions at once (default 1,000, ~140 MB). When full, a never-used session goes first,
   * then one idle past `activeWindowMs`; if every session is recently active, the new
   * `initialize` is refused with 503 and Retry-After: a flood never closes a live client's session.
   */
  maxSessions?: number;
  /** A session that made a request this recently (or has an open stream) is never evicted (default 5 min). */
  activeWindowMs?: number;
  /**
   * `initialize` calls one client may make per window (default 20 a minute), by remote address
   * (IPv6 by its /64); beyond it, 429 with Retry-After.
   */
  initializeLimit?: { max: number; windowMs: number };
  /** Time and timers (default: the system's); tests pass a fake to sweep without waiting. */
  clock?: Pick<Clock, 'now' | 'setTimer'>;
  /** Most messages in one batch (default 32): a batch is served one message at a time. */
  maxBatch?: number;
  /** A request the server has not answered after this long gets an error (default 60 s). */
  requestTimeoutMs?: number;
}

interface Session {
  readonly id: string;
  readonly server: McpServer;
  readonly transport: BridgeTransport;
  readonly openedAt: number;
  lastSeen: number;
  /** Made a request after its initialize: a client, not an abandoned handshake. */
  used: boolean;
  readonly streams: Set<ReadableStreamDefaultController<Uint8Array>>;
  /** Who opened the session (with access control on): nobody else may use it. */
  readonly owner?: string;
}

const SYSTEM_CLOCK: Pick<Clock, 'now' | 'setTimer'> = {
  now: () => new Date(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

const encoder = new TextEncoder();

/**
 * What the endpoint reads of a request: its method and headers. A fetch `Request` is one; the Hono
 * app passes a view of Node's request instead, so that no `Request` is built for an MCP call.
 */
export interface McpHttpRequest {
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

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
  private sweeper: Timer | undefined;
  private readonly sweepEveryMs: number;
  private readonly clock: Pick<Clock, 'now' | 'setTimer'>;
  private readonly idleMs: number;
  private readonly unusedMs: number;
  private readonly activeMs: number;
  private readonly maxSessions: number;
  private readonly maxBatch: number;
  private readonly requestTimeoutMs: number;
  private readonly initializeLimit: { max: number; windowMs: number };
  /** Per client: initialize calls in the current window. Pruned by the sweep. */
  private readonly initializes = new Map<string, { count: number; windowStart: number }>();
  /** Tool calls being answered directly (not through a transport). */
  private directInFlight = 0;

  constructor(private readonly options: StreamableHttpOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.unusedMs = options.unusedSessionMs ?? 60_000;
    this.activeMs = options.activeWindowMs ?? 5 * 60_000;
    this.maxSessions = options.maxSessions ?? 1_000;
    this.maxBatch = options.maxBatch ?? 32;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.initializeLimit = options.initializeLimit ?? { max: 20, windowMs: 60_000 };
    const transport = new BridgeTransport(undefined, this.requestTimeoutMs);
    const server = options.createServer();
    void server.connect(transport);
    this.shared = { server, transport };
    // Often enough that an abandoned session lives at most 1.5 × unusedSessionMs.
    this.sweepEveryMs = Math.max(1000, Math.min(this.unusedMs, this.idleMs) / 2);
    this.scheduleSweep();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Requests still waiting for the server's reply, over all sessions (0 when nothing is stuck). */
  get inFlight(): number {
    let n = this.shared.transport.inFlight + this.directInFlight;
    for (const s of this.sessions.values()) n += s.transport.inFlight;
    return n;
  }

  /**
   * `client`: the remote address, for the per-client initialize limit. `owner`: the verified
   * caller's subject when access control is on; sessions are bound to it.
   */
  async handle(req: McpHttpRequest, body?: unknown, client?: string, owner?: string): Promise<Response> {
    return toResponse(await this.reply(req, body, client, owner));
  }

  /** As handle(), the answer as an HttpReply (the Hono app turns it into its own response). */
  async reply(req: McpHttpRequest, body?: unknown, client?: string, owner?: string): Promise<HttpReply> {
    return this.replyNow(req, body, client, owner);
  }

  /**
   * As reply(), without a promise when the answer is ready at once: a single message that opens no
   * session, answered directly (certdocs' tools are synchronous) or refused by a check.
   */
  replyNow(
    req: McpHttpRequest,
    body?: unknown,
    client?: string,
    owner?: string,
  ): HttpReply | Promise<HttpReply> {
    const version = req.headers.get('mcp-protocol-version');
    if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return rpcErrorReply(
        400,
        -32000,
        `Unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
      );
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, body, client, owner);
      case 'GET':
        return this.get(req, owner);
      case 'DELETE':
        return this.delete(req, owner);
      default:
        return { status: 405, headers: { allow: 'GET, POST, DELETE' }, body: null };
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
    this.sweeper?.cancel();
    this.sweeper = undefined;
    for (const id of [...this.sessions.keys()]) await this.closeSession(id);
    await this.shared.server.close();
  }

  private post(
    req: McpHttpRequest,
    body: unknown,
    client: string | undefined,
    owner?: string,
  ): HttpReply | Promise<HttpReply> {
    if (!JSON_MEDIA_TYPE.test(req.headers.get('content-type') ?? '')) {
      return rpcErrorReply(415, -32000, 'Content-Type must be application/json');
    }
    const accept = req.headers.get('accept');
    if (accept && !ACCEPT_FOR_POST.test(accept)) {
      return rpcErrorReply(406, -32000, 'Accept must include application/json and text/event-stream');
    }
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length === 0) return rpcErrorReply(400, -32600, 'Invalid JSON-RPC message: an empty batch');
    if (messages.length > this.maxBatch) {
      return rpcErrorReply(400, -32600, `A batch may hold at most ${this.maxBatch} messages`);
    }
    // Checked with the SDK's own schemas before anything runs: a message the server would drop
    // unanswered (bad params, an id that is not a string or an integer) is answered here instead.
    for (let i = 0; i < messages.length; i++) {
      if (isJsonRpc(messages[i])) continue;
      const at = batch ? ` at index ${i}` : '';
      return rpcErrorReply(400, -32600, `Invalid JSON-RPC message${at}: ${problemOf(messages[i])}`);
    }
    const rpc = messages as JSONRPCMessage[];
    // The SDK would answer bad params of a known method as an internal error (-32603) whose message
    // is the schema's whole issue list: a client mistake gets a -32602 naming the fields instead.
    for (let i = 0; i < rpc.length; i++) {
      const problem = paramsProblem(rpc[i] as JSONRPCMessage);
      if (problem)
        return rpcErrorReply(400, -32602, `Invalid params${batch ? ` at index ${i}` : ''}: ${problem}`);
    }
    const init = rpc.find((m) => 'method' in m && m.method === 'initialize');
    if (init) {
      if (rpc.length > 1) return rpcErrorReply(400, -32600, 'initialize must be sent on its own');
      return this.initialize(rpc, clientKey(client), owner, accept);
    }
    let transport = this.shared.transport;
    const sessionId = req.headers.get('mcp-session-id') ?? undefined;
    if (sessionId) {
      const session = this.ownSession(sessionId, owner);
      if (!session) return rpcErrorReply(404, -32001, 'Session not found: initialize again');
      this.touch(session);
      transport = session.transport;
    }
    const only = rpc[0] as JSONRPCMessage;
    if (batch) return this.deliver(rpc, transport, batch, sessionId, accept);
    // One message: answered at once when it can be (a direct tool call, a notification).
    if (!('method' in only && 'id' in only)) {
      transport.deliver(only);
      return this.replyOf([], transport, false, sessionId, accept);
    }
    const reply = this.request(transport, only as JSONRPCRequest);
    if (reply instanceof Promise)
      return reply.then((r) => this.replyOf([r], transport, false, sessionId, accept));
    return this.replyOf([reply], transport, false, sessionId, accept);
  }

  /** An initialize, on its own: counted per client, a new session, refused when too many. */
  private async initialize(
    rpc: JSONRPCMessage[],
    client: string,
    owner: string | undefined,
    accept: string | null,
  ): Promise<HttpReply> {
    const wait = this.countInitialize(client);
    if (wait > 0) {
      return withRetryAfter(
        rpcErrorReply(429, -32000, 'Too many initialize requests from this client: reuse your session'),
        wait,
      );
    }
    const opened = await this.openSession(owner);
    if (typeof opened === 'number') {
      return withRetryAfter(rpcErrorReply(503, -32000, 'Too many active sessions: try again later'), opened);
    }
    const replies = await this.deliverAll(rpc, opened.transport);
    let sessionId: string | undefined = opened.id;
    if (replies[0] && 'error' in replies[0]) {
      // A refused initialize opened nothing a client could use.
      await this.closeSession(opened.id);
      sessionId = undefined;
    }
    return this.replyOf(replies, opened.transport, false, sessionId, accept);
  }

  private async deliver(
    rpc: JSONRPCMessage[],
    transport: BridgeTransport,
    batch: boolean,
    sessionId: string | undefined,
    accept: string | null,
  ): Promise<HttpReply> {
    return this.replyOf(await this.deliverAll(rpc, transport), transport, batch, sessionId, accept);
  }

  /**
   * One message at a time, yielding in between: a batch of searches must not keep /healthz and
   * every other client waiting until its last element is done.
   */
  private async deliverAll(rpc: JSONRPCMessage[], transport: BridgeTransport): Promise<JSONRPCMessage[]> {
    const replies: JSONRPCMessage[] = [];
    for (const [i, m] of rpc.entries()) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      if ('method' in m && 'id' in m) {
        const reply = this.request(transport, m as JSONRPCRequest);
        replies.push(reply instanceof Promise ? await reply : reply);
      } else transport.deliver(m);
    }
    return replies;
  }

  /** The HTTP reply holding the JSON-RPC replies (202 when there are none). */
  private replyOf(
    replies: JSONRPCMessage[],
    transport: BridgeTransport,
    batch: boolean,
    sessionId: string | undefined,
    accept: string | null,
  ): HttpReply {
    const sessionHeader = sessionId !== undefined && transport !== this.shared.transport;
    const headers: Record<string, string> = sessionHeader
      ? { 'content-type': 'application/json', 'mcp-session-id': sessionId }
      : { 'content-type': 'application/json' };
    if (replies.length === 0) return { status: 202, headers, body: null };
    const payload = batch ? replies : replies[0];
    const sse = Boolean(accept) && !ACCEPT_JSON.test(accept as string);
    // A search or fetch reply is written as bytes from pieces kept per section (see DirectToolCalls.renderBytes).
    const bytes = !batch && !sse && replies[0] ? this.options.direct?.renderBytes?.(replies[0]) : undefined;
    if (bytes) {
      // Its slab's room may be reused once the sender has written it all (see HttpReply.bodyOwner).
      const owner = this.options.direct?.release ? (this.options.direct as BodyOwner) : undefined;
      return owner
        ? { status: 200, headers, body: bytes, bodyOwner: owner }
        : { status: 200, headers, body: bytes };
    }
    const json = (!batch && replies[0] && this.options.direct?.render(replies[0])) || JSON.stringify(payload);
    if (sse) {
      // A client that only accepts SSE gets its reply as one event.
      headers['content-type'] = 'text/event-stream';
      return { status: 200, headers, body: `event: message\ndata: ${json}\n\n` };
    }
    return { status: 200, headers, body: json };
  }

  /** A request's reply: directly for certdocs' own tool calls, else from the transport's server. */
  private request(
    transport: BridgeTransport,
    request: JSONRPCRequest,
  ): JSONRPCMessage | Promise<JSONRPCMessage> {
    const direct = this.options.direct?.answer(request);
    if (!direct) return transport.request(request);
    // Answered already (certdocs' tools are synchronous): nothing was in flight.
    if (!(direct instanceof Promise)) return direct;
    this.directInFlight++;
    return direct.finally(() => {
      this.directInFlight--;
    });
  }

  /** The session's stream of server→client messages (notifications). */
  private get(req: McpHttpRequest, owner?: string): HttpReply {
    if (!(req.headers.get('accept') ?? '').includes('text/event-stream')) {
      return rpcErrorReply(406, -32000, 'Accept must include text/event-stream');
    }
    const sessionId = req.headers.get('mcp-session-id');
    if (!sessionId) {
      return { status: 405, headers: { allow: 'POST' }, body: null };
    }
    const session = this.ownSession(sessionId, owner);
    if (!session) return rpcErrorReply(404, -32001, 'Session not found: initialize again');
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
    return {
      status: 200,
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        'mcp-session-id': session.id,
      },
      body: stream,
    };
  }

  private async delete(req: McpHttpRequest, owner?: string): Promise<HttpReply> {
    const sessionId = req.headers.get('mcp-session-id');
    if (!sessionId) return rpcErrorReply(400, -32000, 'Mcp-Session-Id header required');
    if (!this.ownSession(sessionId, owner)) return rpcErrorReply(404, -32001, 'Session not found');
    await this.closeSession(sessionId);
    return { status: 200, headers: {}, body: null };
  }

  /** Another caller's session is as good as none: a 404 tells a guesser nothing. */
  private ownSession(id: string, owner: string | undefined): Session | undefined {
    const session = this.sessions.get(id);
    return session && session.owner === owner ? session : undefined;
  }

  /** Counts one initialize for `client`; returns 0, or the milliseconds until it may try again. */
  private countInitialize(client: string): number {
    const now = this.now();
    const { max, windowMs } = this.initializeLimit;
    const entry = this.initializes.get(client);
    if (!entry || now - entry.windowStart >= windowMs) {
      this.initializes.set(client, { count: 1, windowStart: now });
      return 0;
    }
    if (entry.count >= max) return entry.windowStart + windowMs - now;
    entry.count++;
    return 0;
  }

  /** A new session, or (when every session is recently active) the milliseconds to wait. */
  private async openSession(owner?: string): Promise<Session | number> {
    if (this.sessions.size >= this.maxSessions) {
      const victim = this.evictable();
      if (typeof victim === 'number') return victim;
      this.options.logger.debug('session limit reached: closing a session', {
        session: victim.id,
        used: victim.used,
      });
      await this.closeSession(victim.id);
    }
    const id = randomUUID();
    const transport = new BridgeTransport(id, this.requestTimeoutMs);
    const server = this.options.createServer();
    const now = this.now();
    const session: Session = {
      id,
      server,
      transport,
      openedAt: now,
      lastSeen: now,
      used: false,
      streams: new Set(),
      owner,
    };
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

  /**
   * The session to close for a new one: the oldest never-used, else the least recently used idle
   * past the active window; else the milliseconds until one will be.
   */
  private evictable(): Session | number {
    const now = this.now();
    let idle: Session | undefined;
    let soonest = Number.POSITIVE_INFINITY;
    for (const s of this.sessions.values()) {
      if (s.streams.size > 0) continue;
      if (!s.used) return s;
      if (!idle && now - s.lastSeen >= this.activeMs) idle = s;
      soonest = Math.min(soonest, s.lastSeen + this.activeMs - now);
    }
    return idle ?? (Number.isFinite(soonest) ? soonest : this.activeMs);
  }

  /** Keeps the session map in least-recently-used order. */
  private touch(session: Session): void {
    session.used = true;
    session.lastSeen = this.now();
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

  private now(): number {
    return this.clock.now().getTime();
  }

  private scheduleSweep(): void {
    this.sweeper = this.clock.setTimer(this.sweepEveryMs, () => {
      this.sweep();
      if (this.sweeper) this.scheduleSweep();
    });
  }

  private sweep(): void {
    const now = this.now();
    for (const s of [...this.sessions.values()]) {
      if (s.streams.size > 0) continue;
      const abandoned = !s.used && now - s.openedAt >= this.unusedMs;
      if (abandoned || now - s.lastSeen >= this.idleMs) {
        this.options.logger.debug('closing idle MCP session', { session: s.id, used: s.used });
        void this.closeSession(s.id);
      }
    }
    for (const [client, entry] of this.initializes) {
      if (now - entry.windowStart >= this.initializeLimit.windowMs) this.initializes.delete(client);
    }
  }
}

function withRetryAfter(reply: HttpReply, ms: number): HttpReply {
  return {
    ...reply,
    headers: { ...reply.headers, 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) },
  };
}

/**
 * Whom the initialize limit counts: the remote address, an IPv6 one by its /64 (one subscriber's
 * share, which it can rotate through freely). Unknown (not behind Node's server) is one client.
 */
function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1] as string;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** What a POST's Accept must name (one of them), and what lets its reply be plain JSON. */
const ACCEPT_FOR_POST = /application\/json|\*\/\*|text\/event-stream/;
const ACCEPT_JSON = /application\/json|\*\/\*/;

/** `application/json`, in any case, with or without parameters; not a type that merely contains it. */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(;|$)/i;

function isJsonRpc(m: unknown): boolean {
  return (
    surelyRequest(m) ||
    isJSONRPCRequest(m) ||
    isJSONRPCNotification(m) ||
    isJSONRPCResultResponse(m) ||
    isJSONRPCErrorResponse(m)
  );
}

/** The schema of each request a client may send, by method. */
const CLIENT_REQUESTS = new Map<string, (typeof ClientRequestSchema.options)[number]>(
  ClientRequestSchema.options.map((schema) => [schema.shape.method.value, schema]),
);

/** What is wrong with a known request's params, field by field, echoing none of their values. */
function paramsProblem(m: JSONRPCMessage): string | undefined {
  if (!('method' in m) || !('id' in m)) return undefined;
  if (m.method === 'tools/call' && surelyToolCallParams(m.params)) return undefined;
  const schema = CLIENT_REQUESTS.get(m.method);
  const parsed = schema?.safeParse(m);
  if (!parsed || parsed.success) return undefined;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || 'params'}: ${issue.message}`;
  });
  return `${m.method}: ${issues.join('; ')}`;
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
