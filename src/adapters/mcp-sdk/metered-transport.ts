import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Metrics, RequestTransport } from '../../ports/metrics.js';

/** JSON-RPC's "method not found": the server has no such method, so its name is the client's whim. */
const METHOD_NOT_FOUND = -32601;
/** Requests the server never answers (cancelled ones) are forgotten beyond this many. */
const MAX_PENDING = 1024;

type Handler = NonNullable<Transport['onmessage']>;

interface Pending {
  readonly method: string;
  readonly tool?: string;
  readonly started: number;
}

/**
 * Sits between an McpServer and the transport it is connected to (Streamable HTTP's bridge, the
 * legacy SSE transport, stdio) and records each request the server answers: its method, the tool
 * for `tools/call`, whether the answer was an error, and how long it took. Method names the server
 * does not know and tool names that are not `tools` are recorded as `other`: clients choose them.
 */
export class MeteredTransport implements Transport {
  private readonly pending = new Map<RequestId, Pending>();
  private handler: Handler | undefined;

  constructor(
    private readonly inner: Transport,
    private readonly transport: RequestTransport,
    private readonly metrics: Metrics,
    private readonly tools: ReadonlySet<string>,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get onmessage(): Handler | undefined {
    return this.handler;
  }

  set onmessage(handler: Handler | undefined) {
    this.handler = handler;
    this.inner.onmessage = handler
      ? <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => {
          this.received(message);
          handler(message, extra);
        }
      : undefined;
  }

  get onclose(): (() => void) | undefined {
    return this.inner.onclose;
  }

  set onclose(fn: (() => void) | undefined) {
    this.inner.onclose = fn;
  }

  get onerror(): ((error: Error) => void) | undefined {
    return this.inner.onerror;
  }

  set onerror(fn: ((error: Error) => void) | undefined) {
    this.inner.onerror = fn;
  }

  get setProtocolVersion(): ((version: string) => void) | undefined {
    return this.inner.setProtocolVersion?.bind(this.inner);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.answered(message);
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    this.pending.clear();
    return this.inner.close();
  }

  private received(message: JSONRPCMessage): void {
    if (!('method' in message) || !('id' in message)) return; // a notification or a client's reply
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    const name = message.method === 'tools/call' ? message.params?.name : undefined;
    this.pending.set(message.id, {
      method: message.method,
      tool:
        message.method === 'tools/call'
          ? typeof name === 'string' && this.tools.has(name)
            ? name
            : 'other'
          : undefined,
      started: performance.now(),
    });
  }

  private answered(message: JSONRPCMessage): void {
    // The server's own requests and notifications; an error about a message it could not read.
    if ('method' in message || !('id' in message) || message.id === undefined) return;
    const request = this.pending.get(message.id);
    if (!request) return;
    this.pending.delete(message.id);
    const error = 'error' in message ? message.error : undefined;
    const result = 'result' in message ? (message.result as { isError?: unknown }) : undefined;
    this.metrics.requestServed({
      transport: this.transport,
      method: error?.code === METHOD_NOT_FOUND ? 'other' : request.method,
      tool: request.tool,
      ok: !error && result?.isError !== true,
      ms: performance.now() - request.started,
    });
  }
}
