/**
 * An HTTP answer before it becomes a Response: the Hono app hands these to `c.body()`, which keeps
 * @hono/node-server's lightweight response (and headers set by middleware) instead of a built one.
 */
export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null;
  /**
   * Where a byte body came from, when its memory may be reused once written: a sender that has
   * handed every byte of it to the operating system before returning (nothing left queued) says
   * so with release(body). Senders that cannot tell say nothing, and the memory is not reused.
   */
  readonly bodyOwner?: BodyOwner;
}

/** See HttpReply.bodyOwner. */
export interface BodyOwner {
  release(body: Uint8Array): void;
}

/** A JSON-RPC error as an HTTP reply; no SDK import, so the HTTP layer can answer before the SDK loads. */
export function rpcErrorReply(status: number, code: number, message: string): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }),
  };
}

/** A JSON-RPC error as an HTTP response. */
export function rpcError(status: number, code: number, message: string): Response {
  return toResponse(rpcErrorReply(status, code, message));
}

export function toResponse(reply: HttpReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
