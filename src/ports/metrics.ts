import type { CertificateInfo } from '../domain/certificate.js';

/** How a request reached certdocs: the two MCP HTTP transports, stdio, or the plain JSON search route. */
export type RequestTransport = 'streamable-http' | 'sse' | 'stdio' | 'api';

/** One request answered. */
export interface RequestServed {
  readonly transport: RequestTransport;
  /** The JSON-RPC method (`tools/call`, `initialize`…), or the route's name for `api` (`search`). */
  readonly method: string;
  /** The tool, for `tools/call`. */
  readonly tool?: string;
  /** False when the answer was an error (a JSON-RPC error or a tool result with `isError`). */
  readonly ok: boolean;
  readonly ms: number;
}

/** What the index holds now. */
export interface IndexFigures {
  readonly documents: number;
  readonly sections: number;
  readonly builtAt: Date;
}

/**
 * What certdocs tells an operator about itself while it runs, in the domain's words. Recording
 * never fails and never waits: an implementation that cannot record drops the event. Values an
 * implementation turns into labels (method, tool, code) come from clients or CAs, so it must keep
 * their number bounded.
 */
export interface Metrics {
  requestServed(request: RequestServed): void;
  /** A search was answered (ServeDocs), in milliseconds. */
  searchServed(ms: number): void;
  /** A new index is being served (built or restored). */
  indexBuilt(index: IndexFigures): void;
  /** A refresh of the docs ran; `ok` false when the source could not be read or the build failed. */
  refreshed(ok: boolean): void;
  /** This certificate is in service and its renewal is planned for `renewAt`. */
  certificateInstalled(info: CertificateInfo, renewAt: Date): void;
  /** An ACME order starts (the first certificate or a renewal, each retry counted). */
  orderAttempted(): void;
  /** An ACME order failed, with the AcmeError code (`acme.rate_limited`…) or `unexpected`. */
  orderFailed(code: string): void;
}

export const METRICS = Symbol.for('certdocs.Metrics');

/** Records nothing: metrics are off (`--metrics-port off`, or the `cert` commands). */
export const NO_METRICS: Metrics = {
  requestServed: () => undefined,
  searchServed: () => undefined,
  indexBuilt: () => undefined,
  refreshed: () => undefined,
  certificateInstalled: () => undefined,
  orderAttempted: () => undefined,
  orderFailed: () => undefined,
};
