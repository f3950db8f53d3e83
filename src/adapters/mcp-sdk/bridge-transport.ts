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
  private readonly pending = new Map<number, { clientId: RequestId; resolve: (m: JSONRPCMessage) => void }>();
  private closed = false;

  constructor(readonly sessionId?: string) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const reply = message as Reply;
    if (
      'id' in reply &&
      (reply.result !== undefined || reply.error !== undefined) &&
      typeof reply.id === 'number'
    ) {
      const waiter = this.pending.get(reply.id);
      if (waiter) {
        this.pending.delete(reply.id);
        waiter.resolve({ ...reply, id: waiter.clientId } as JSONRPCMessage);
        return;
      }
    }
    this.onServerMessage?.(message);
  }

  /** Forwards a client request and resolves with the server's reply, carrying the client's id. */
  request(request: JSONRPCRequest): Promise<JSONRPCMessage> {
    if (this.closed) return Promise.resolve(closedError(request.id));
    const internal = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(internal, { clientId: request.id, resolve });
      this.onmessage?.({ ...request, id: internal });
    });
  }

  /** Forwards a notification or a client's reply to a server request; nothing comes back. */
  deliver(message: JSONRPCMessage): void {
    if (this.closed) return;
    this.onmessage?.(this.sessionId ? this.translateCancellation(message) : message);
  }

  /**
   * `notifications/cancelled` names the client's request id; the server knows it by its internal
   * id. Only within a session are client ids unique, so only there is the cancellation forwarded.
   */
  private translateCancellation(message: JSONRPCMessage): JSONRPCMessage {
    const m = message as { method?: string; params?: { requestId?: RequestId; reason?: string } };
    if (m.method !== 'notifications/cancelled' || m.params?.requestId === undefined) return message;
    for (const [internal, waiter] of this.pending) {
      if (waiter.clientId === m.params.requestId) {
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
    for (const [, waiter] of this.pending) waiter.resolve(closedError(waiter.clientId));
    this.pending.clear();
    this.onclose?.();
  }
}

function closedError(id: RequestId): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: -32000, message: 'Session closed before the request completed' },
  };
}
