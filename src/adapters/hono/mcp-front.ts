import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Logger } from '../../ports/logger.js';
import { type HttpReply, rpcErrorReply } from '../mcp-sdk/json-rpc-error.js';
import type { McpHttpRequest, StreamableHttpEndpoint } from '../mcp-sdk/streamable-http-endpoint.js';
import { readNodeBody } from './read-body.js';
import { type GuardOptions, hostnameOf } from './request-guard.js';

/** Answers a request on Node's request and response; false: it did not, Hono will. */
export type NodeFront = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface McpFrontOptions {
  readonly guard: GuardOptions;
  readonly maxBodyBytes: number;
  /** The Streamable HTTP endpoint once the SDK has loaded; until then Hono's route waits for it. */
  readonly endpoint: () => StreamableHttpEndpoint | undefined;
  readonly logger: Logger;
  /** The 413 the Hono route sends, word for word. */
  readonly tooLarge: () => HttpReply;
}

/**
 * `POST /mcp` from a client that is not a browser, answered on Node's request and response before
 * Hono: Hono's routing, its context, its middleware chain and @hono/node-server's response cost
 * more than the MCP call they carry (a fetch of a small section). It takes only requests whose
 * every HTTP-level check is one it makes the same way, and leaves the rest to Hono untouched:
 * - a Host the request guard allows (else Hono answers the 403);
 * - no Origin header (a browser's request goes through CORS and the Origin check in Hono);
 * - the app built without a rate limit or access control, and debug request logging off (the app
 *   passes no front then, or it declines per request);
 * - the body read with the same limit (the same 413), the same parse error;
 * every MCP-level check (protocol version, media types, JSON-RPC and params schemas, sessions,
 * batches) is the endpoint's, as behind Hono. Like Hono's CORS middleware it says `Vary: Origin`.
 */
export function mcpFront(opts: McpFrontOptions): NodeFront {
  const anyHost = opts.guard.allowedHosts.includes('*');
  const hosts = new Set(opts.guard.allowedHosts.map((h) => h.toLowerCase()));
  // A client sends the same Host on every request: the last one allowed is recognised at once.
  let lastAllowed = '';
  const hostAllowed = (host: string | undefined) => {
    if (anyHost || (host === lastAllowed && host !== '')) return true;
    if (host === undefined || !hosts.has(hostnameOf(host))) return false;
    lastAllowed = host;
    return true;
  };
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/mcp') return false;
    const headers = req.headers;
    if (headers.origin !== undefined || !hostAllowed(headers.host)) return false;
    const endpoint = opts.endpoint();
    if (!endpoint || opts.logger.isEnabled('debug')) return false;
    // Node's parser pushes a body that came with the headers only after this event: a tick later
    // it is buffered, and taken at once (else it is read as it comes).
    process.nextTick(readThenAnswer, opts, endpoint, req, res);
    return true;
  };
}

function readThenAnswer(
  opts: McpFrontOptions,
  endpoint: StreamableHttpEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const read = readNodeBody(req, opts.maxBodyBytes);
  if (read instanceof Promise) {
    read.then(
      (body) => answer(opts, endpoint, req, res, body.ok ? body.text : undefined),
      (e: unknown) => failed(opts.logger, res, e),
    );
  } else answer(opts, endpoint, req, res, read.ok ? read.text : undefined);
}

function answer(
  opts: McpFrontOptions,
  endpoint: StreamableHttpEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  text: string | undefined,
): void {
  if (text === undefined) {
    send(res, opts.tooLarge());
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    send(res, rpcErrorReply(400, -32700, 'Parse error: the body is not valid JSON'));
    return;
  }
  let reply: HttpReply | Promise<HttpReply>;
  try {
    reply = endpoint.replyNow(new NodeHeaders(req), body, req.socket.remoteAddress);
  } catch (e) {
    failed(opts.logger, res, e);
    return;
  }
  if (reply instanceof Promise) {
    reply.then(
      (r) => send(res, r),
      (e: unknown) => failed(opts.logger, res, e),
    );
  } else send(res, reply);
}

/** What the endpoint reads of the request: Node's parsed headers, as Hono's route passes them. */
class NodeHeaders implements McpHttpRequest {
  readonly method = 'POST';
  readonly headers = this;
  constructor(private readonly req: IncomingMessage) {}
  get(name: string): string | null {
    const value = this.req.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * The reply as Hono's route writes it through @hono/node-server: `vary`, the reply's headers, and
 * Content-Length, in one writeHead (a flat array: Node copies no object for it).
 */
function send(res: ServerResponse, reply: HttpReply): void {
  if (res.destroyed) return;
  const head: string[] = ['vary', 'Origin'];
  for (const name in reply.headers) head.push(name, reply.headers[name] as string);
  const body = reply.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    if (body !== null) {
      head.push(
        'Content-Length',
        String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
      );
    }
    res.writeHead(reply.status, head);
    res.end(body ?? undefined);
    // Written through to the socket already (nothing queued in the response or the socket): the
    // bytes are the kernel's now, and their memory may be reused.
    const socket = res.socket;
    if (
      reply.bodyOwner &&
      body instanceof Uint8Array &&
      socket &&
      res.writableLength === 0 &&
      socket.writableLength === 0
    )
      reply.bodyOwner.release(body);
    return;
  }
  res.writeHead(reply.status, head);
  Readable.fromWeb(body as NodeReadableStream<Uint8Array>).pipe(res);
}

/** As Hono's onError: logged, and a JSON-RPC internal error if nothing was sent yet. */
function failed(logger: Logger, res: ServerResponse, e: unknown): void {
  logger.error('HTTP request failed', {
    method: 'POST',
    path: '/mcp',
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, rpcErrorReply(500, -32603, 'Internal error'));
}
