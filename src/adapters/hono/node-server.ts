import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface TlsMaterial {
  readonly keyPem: string;
  readonly certPem: string;
}

/**
 * A listener that owns the port and hands connections over (the TLS-ALPN-01 front door): the
 * HTTPS server then listens on nothing itself.
 */
export interface HandoffListener {
  setTarget(server: Server | HttpsServer): void;
  readonly port: number;
}

/**
 * How long a client may take and how many may be connected at once. Node's own defaults let a body
 * that never completes hold its connection for 300 s and cap nothing; these are per listener.
 */
export interface ConnectionLimits {
  /** The request line and headers must have arrived within this. */
  readonly headersTimeoutMs: number;
  /**
   * The whole request (headers and body) must have arrived within this. Only the request: a
   * response may stream for as long as it likes (GET /mcp and GET /sse are long-lived by design).
   */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A TLS handshake (or, at the front door, the ClientHello) must be done within this. */
  readonly handshakeTimeoutMs: number;
  /** Connections beyond this many are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  // A real client sends its headers in one packet; 10 s leaves room for a slow mobile link.
  headersTimeoutMs: 10_000,
  // MCP messages are small; the 1 MiB default body limit at 35 KB/s still fits.
  requestTimeoutMs: 30_000,
  // certdocs terminates TLS itself (no load balancer whose idle timeout this must outlast), and
  // a new request on a closed connection costs a client only a handshake.
  keepAliveTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 1024,
};

export interface RunningServer {
  readonly server: Server | HttpsServer;
  readonly url: string;
  readonly port: number;
  /** New TLS handshakes use the new certificate; open connections keep theirs. */
  setCertificate(tls: TlsMaterial): void;
  close(): Promise<void>;
}

/** Serves a Hono app with Node's http or https server on host:port (port 0 picks a free one). */
export async function serveNode(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env works here
  app: Hono<any>,
  opts: {
    host?: string;
    port: number;
    tls?: TlsMaterial;
    /** Connections come from this listener (TLS-ALPN front door) instead of our own listen(). */
    frontDoor?: HandoffListener;
    limits?: Partial<ConnectionLimits>;
  },
): Promise<RunningServer> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits };
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request deadlines on this interval (30 s by default), so a
    // deadline is met at most this late.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
  };
  const server = opts.tls
    ? (createAdaptorServer({
        fetch: app.fetch,
        createServer: createHttpsServer,
        serverOptions: {
          ...timeouts,
          handshakeTimeout: limits.handshakeTimeoutMs,
          key: opts.tls.keyPem,
          cert: opts.tls.certPem,
        },
      }) as HttpsServer)
    : (createAdaptorServer({ fetch: app.fetch, serverOptions: timeouts }) as Server);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // With a front door the cap is the front door's: connections it hands over are not counted here.
  server.maxConnections = limits.maxConnections;
  const frontDoor = opts.frontDoor;
  if (frontDoor) {
    frontDoor.setTarget(server);
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  const address = frontDoor
    ? ({ address: opts.host ?? '0.0.0.0', family: 'IPv4', port: frontDoor.port } as AddressInfo)
    : (server.address() as AddressInfo);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
  const url = `${opts.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
  return {
    server,
    url,
    port: address.port,
    setCertificate(tls) {
      if (!opts.tls) throw new Error('setCertificate on a plain HTTP server');
      (server as HttpsServer).setSecureContext({ key: tls.keyPem, cert: tls.certPem });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
