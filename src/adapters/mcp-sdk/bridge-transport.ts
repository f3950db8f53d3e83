import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';

type Reply = Extract<JSONRPCMessage, { id: RequestId }> & { result?: unknown; error?: unknown };

/**
 * Connects one long-lived McpServer to many HTTP requests. Each incoming request is forwarded under
 * a unique internal id (clients reuse ids freely across requests) and its reply is routed back to
 * the waiting HTTP request with the client's id restored. Messages the server sends on its own
 * (notifications, server→client requests) go to `onServerMessage`, e.g. a session's SSE stream.
 */
export class BridgeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  onServerMessage?: (message: JSONRPCMessage) => void;

  private seq = 0;
  private readonly pending = new Map<number, Waiter>();
  private closed = false;

  /** `timeoutMs`: a request the server has not answered by then gets an error reply, and is forgotten. */
  constructor(
    readonly sessionId?: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const reply = message as Reply;
    if (
      'id' in reply &&
      (reply.result !== undefined || reply.error !== undefined) &&
      typeof reply.id === 'number'
    ) {
      // A reply whose waiter is gone (timed out, cancelled) has no one left to read it.
      this.settle(reply.id, { ...reply, id: this.pending.get(reply.id)?.clientId ?? null } as JSONRPCMessage);
      return;
    }
    this.onServerMessage?.(message);
  }

  /** Forwards a client request and resolves with the server's reply, carrying the client's id. */
  request(request: JSONRPCRequest): Promise<JSONRPCMessage> {
    if (this.closed) {
      return Promise.resolve(errorReply(request.id, -32000, 'Session closed before the request completed'));
    }
    const internal = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.settle(internal, errorReply(request.id, -32001, 'The request timed out')),
        this.timeoutMs,
      );
      timer.unref();
      this.pending.set(internal, { clientId: request.id, resolve, timer });
      this.onmessage?.({ ...request, id: internal });
    });
  }

  /** Answers the HTTP request waiting under `internal`, once. */
  private settle(internal: number, reply: JSONRPCMessage): void {
    const waiter = this.pending.get(internal);
    if (!waiter) return;
    this.pending.delete(internal);
    clearTimeout(waiter.timer);
    waiter.resolve(reply);
  }

  /** Forwards a notification or a client's reply to a server request; nothing comes back. */
  deliver(message: JSONRPCMessage): void {
    if (this.closed) return;
    this.onmessage?.(this.sessionId ? this.translateCancellation(message) : message);
  }

  /**
   * `notifications/cancelled` names the client's request id; the server knows it by its internal
   * id. Only within a session are client ids unique, so only there is the cancellation forwarded.
   * The server sends no reply to a cancelled request, but an HTTP request still waits for one: it
   * is answered here.
   */
  private translateCancellation(message: JSONRPCMessage): JSONRPCMessage {
    const m = message as { method?: string; params?: { requestId?: RequestId; reason?: string } };
    if (m.method !== 'notifications/cancelled' || m.params?.requestId === undefined) return message;
    for (const [internal, waiter] of this.pending) {
      if (waiter.clientId === m.params.requestId) {
        this.settle(internal, errorReply(waiter.clientId, -32800, 'Request cancelled'));
        return { ...message, params: { ...m.params, requestId: internal } } as JSONRPCMessage;
      }
    }
    return message;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [internal, waiter] of this.pending) {
      this.settle(
        internal,
        errorReply(waiter.clientId, -32000, 'Session closed before the request completed'),
      );
    }
    this.onclose?.();
  }
}

interface Waiter {
  readonly clientId: RequestId;
  readonly resolve: (m: JSONRPCMessage) => void;
  readonly timer: NodeJS.Timeout;
}

function errorReply(id: RequestId, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
