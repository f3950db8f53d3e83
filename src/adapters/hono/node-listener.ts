import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

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

/**
 * TLS 1.2 at least, and only AEAD suites with forward secrecy (Mozilla's "intermediate" list): no
 * CBC, no static RSA key exchange, no SHA-1 MACs. Set on the server itself (and again at each
 * certificate swap), so Node's defaults or an operator's --tls-min-v1.0 cannot loosen them; Node
 * takes the TLS 1.3 suites from the same string, hence they are named.
 */
export const TLS_HARDENING = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
} as const;

/**
 * Browsers that have seen certdocs over HTTPS keep to HTTPS for a year. Not includeSubDomains: the
 * operator's other names are not certdocs' to speak for.
 */
export const HSTS = 'max-age=31536000';

export interface RunningServer {
  readonly server: Server | HttpsServer;
  readonly url: string;
  readonly port: number;
  /** New TLS handshakes use the new certificate; open connections keep theirs. */
  setCertificate(tls: TlsMaterial): void;
  /** Takes no new connections and drops idle ones; requests already being answered go on. */
  stopAccepting(): void;
  /** Ends every connection, busy or not, and resolves once the server is closed. */
  close(): Promise<void>;
}

/**
 * A server context's trust store only verifies client certificates, which certdocs never asks
 * for; the chain it sends is the one in the certificate file. Without `ca`, Node loads Mozilla's
 * ~140 root certificates into every process's first secure context: 30-60 ms on a start here,
 * before the first HTTPS answer.
 */
const NO_CLIENT_TRUST = { ca: [] as string[] };

/** A listening server that answers on its own until `serve()` hands it the application. */
export interface NodeListener extends RunningServer {
  /** From now on every request goes to `handler`, the ones held so far too. Once only. */
  serve(handler: RequestListener): void;
  readonly serving: boolean;
  /** Resolves when the first request has arrived (TLS handshake and headers done). */
  readonly firstRequest: Promise<void>;
}

/** How long a request waits for the application before it gets 503 + Retry-After. */
const HOLD_MS = 15_000;
/** Requests held at most while starting; more get 503 at once. */
const MAX_HELD = 256;

/**
 * Node's http or https server on host:port (port 0 picks a free one), with the timeouts, the
 * connection cap, the TLS settings and HSTS. Until `serve()` it answers `GET /healthz` itself
 * (`{"status":"starting"}`) and holds every other request for the application (up to 15 s, then
 * 503 with Retry-After): so HTTPS can be up from a stored certificate while the rest of certdocs
 * still loads and indexes, and the application adopts this same server.
 */
export async function listenNode(opts: {
  host?: string;
  port: number;
  tls?: TlsMaterial;
  /** Connections come from this listener (TLS-ALPN front door) instead of our own listen(). */
  frontDoor?: HandoffListener;
  limits?: Partial<ConnectionLimits>;
}): Promise<NodeListener> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits };
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request deadlines on this interval (30 s by default), so a
    // deadline is met at most this late.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
  };
  let handler: RequestListener | undefined;
  const held = new Set<{ req: IncomingMessage; res: ServerResponse; timer: NodeJS.Timeout }>();
  const unavailable = (res: ServerResponse) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json', connection: 'close' });
    res.end('{"error":"starting","message":"certdocs is starting; try again shortly"}');
  };
  let sawRequest: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => {
    sawRequest = resolve;
  });
  const dispatch: RequestListener = (req, res) => {
    sawRequest();
    if (handler) return void handler(req, res);
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : '{"status":"starting"}');
      return;
    }
    if (held.size >= MAX_HELD) return unavailable(res);
    const entry = {
      req,
      res,
      timer: setTimeout(() => {
        held.delete(entry);
        unavailable(res);
      }, HOLD_MS),
    };
    held.add(entry);
    res.once('close', () => {
      clearTimeout(entry.timer);
      held.delete(entry);
    });
  };
  const server = opts.tls
    ? createHttpsServer(
        {
          ...timeouts,
          ...TLS_HARDENING,
          ...NO_CLIENT_TRUST,
          handshakeTimeout: limits.handshakeTimeoutMs,
          key: opts.tls.keyPem,
          cert: opts.tls.certPem,
        },
        dispatch,
      )
    : createHttpServer(timeouts, dispatch);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // With a front door the cap is the front door's: connections it hands over are not counted here.
  server.maxConnections = limits.maxConnections;
  if (opts.tls) {
    // Ahead of the application's listener, so it reaches every response, SSE streams written to Node directly too.
    server.prependListener('request', (_req, res) => res.setHeader('strict-transport-security', HSTS));
  }
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
  let closed: Promise<void> | undefined;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    // Nothing will serve the requests still held.
    for (const h of [...held]) {
      clearTimeout(h.timer);
      unavailable(h.res);
    }
    held.clear();
    server.closeIdleConnections?.();
    return closed;
  };
  return {
    server,
    url,
    port: address.port,
    get serving() {
      return handler !== undefined;
    },
    firstRequest,
    serve(next) {
      if (handler) throw new Error('this listener already serves an application');
      handler = next;
      for (const h of [...held]) {
        clearTimeout(h.timer);
        held.delete(h);
        if (!h.res.destroyed) next(h.req, h.res);
      }
    },
    setCertificate(tls) {
      if (!opts.tls) throw new Error('setCertificate on a plain HTTP server');
      (server as HttpsServer).setSecureContext({
        ...TLS_HARDENING,
        ...NO_CLIENT_TRUST,
        key: tls.keyPem,
        cert: tls.certPem,
      });
    },
    stopAccepting: () => void stopAccepting(),
    close: () => {
      const done = stopAccepting();
      server.closeAllConnections?.();
      return done;
    },
  };
}
