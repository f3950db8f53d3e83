import type { StoredCertificate } from '../../domain/certificate.js';
import type { ServeDocs } from '../../domain/serve-docs.js';
import type { CertificateInstaller } from '../../ports/certificate-installer.js';
import type { Logger } from '../../ports/logger.js';
import type { McpTransport } from '../../ports/mcp-transport.js';
import type { Metrics } from '../../ports/metrics.js';
import type { McpStack } from '../mcp-sdk/mcp-stack.js';
import { createDocsHttp, type DocsHttpAccess, type HealthFields, type Scrape } from './docs-http-app.js';
import {
  type ConnectionLimits,
  type HandoffListener,
  type NodeListener,
  type RunningServer,
  serveNode,
  type TlsMaterial,
} from './node-server.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { GuardOptions } from './request-guard.js';

export interface HttpMcpTransportOptions {
  /** How long stop() waits for requests in flight before cutting them off (default 5000 ms). */
  readonly drainMs?: number;
  readonly host?: string;
  readonly port: number;
  readonly guard: GuardOptions;
  readonly maxBodyBytes: number;
  /** Serve HTTPS: a certificate must be installed before start(). */
  readonly https?: boolean;
  readonly health?: HealthFields;
  /** When TLS-ALPN-01 is on, the front door owns the port and hands connections over. */
  readonly frontDoor?: HandoffListener;
  /** Records /api/search requests. */
  readonly metrics?: Metrics;
  /** Serves GET /metrics on this listener when given. */
  readonly scrape?: Scrape;
  /** Timeouts and connection cap (defaults: DEFAULT_CONNECTION_LIMITS). */
  readonly limits?: Partial<ConnectionLimits>;
  /** Per client address on the MCP routes and /api/search; none when absent. */
  readonly rateLimit?: RateLimitOptions;
  /** Access control (--auth); absent: open. */
  readonly access?: DocsHttpAccess;
  /**
   * A listener already up on the port (HTTPS from the stored certificate, opened before the rest
   * of certdocs loaded): start() hands it the app instead of listening again.
   */
  readonly adopt?: () => NodeListener | undefined;
}

const STACK_DELAY_MS = 100;

/** MCP over HTTP(S): Streamable HTTP at /mcp, legacy SSE at /sse + /message, /healthz, /api/search. */
export class HttpMcpTransport implements McpTransport, CertificateInstaller {
  private running: RunningServer | undefined;
  private readonly stack: Promise<McpStack>;
  private loaded: McpStack | undefined;
  private tls: TlsMaterial | undefined;

  /**
   * `loadStack` loads the MCP SDK in the background, STACK_DELAY_MS after construction: compiling
   * it takes the event loop for ~0.1 s, and the transport is built just as HTTPS opens, when the
   * first requests (a health check, a TLS handshake) should not wait behind it. /mcp requests
   * wait for it either way.
   */
  constructor(
    private readonly docs: ServeDocs,
    loadStack: () => Promise<McpStack>,
    private readonly logger: Logger,
    private readonly options: HttpMcpTransportOptions,
  ) {
    this.stack = new Promise<void>((resolve) => setTimeout(resolve, STACK_DELAY_MS))
      .then(loadStack)
      .then((s) => {
        this.loaded = s;
        return s;
      });
  }

  async start(): Promise<{ url: string; port: number }> {
    const { app, front } = createDocsHttp({
      guard: this.options.guard,
      maxBodyBytes: this.options.maxBodyBytes,
      docs: this.docs,
      streamable: this.stack.then((s) => s.streamable),
      sse: this.stack.then((s) => s.sse),
      health: this.options.health,
      logger: this.logger,
      metrics: this.options.metrics,
      scrape: this.options.scrape,
      rateLimit: this.options.rateLimit,
      access: this.options.access,
    });
    if (this.options.https && !this.tls) throw new Error('HTTPS transport started without a certificate');
    const adopt = this.options.adopt?.();
    this.running = await serveNode(app, {
      host: this.options.host,
      port: this.options.port,
      tls: this.tls,
      frontDoor: this.options.frontDoor,
      limits: this.options.limits,
      adopt,
      front,
    });
    // The listener was opened with the stored certificate; the one installed may be newer.
    if (adopt && this.tls) adopt.setCertificate(this.tls);
    this.logger.info('MCP server listening', {
      url: `${this.running.url}/mcp`,
      sse: `${this.running.url}/sse`,
      tls: Boolean(this.tls),
    });
    return { url: this.running.url, port: this.running.port };
  }

  /** Sets the certificate; once running, swaps it for new handshakes without dropping open connections. */
  install(cert: StoredCertificate): void {
    this.tls = { keyPem: cert.keyPem, certPem: cert.certPem };
    this.running?.setCertificate(this.tls);
  }

  notifyResourcesChanged(): void {
    this.loaded?.streamable.broadcastResourcesChanged();
    this.loaded?.sse.broadcastResourcesChanged();
  }

  /**
   * Takes no new connections, lets the requests being answered finish (up to `drainMs`, 5 s by
   * default: well inside a container's 10 s stop grace), then closes the sessions, their streams
   * and every connection.
   */
  async stop(): Promise<void> {
    this.running?.stopAccepting();
    const stack = await this.stack;
    const deadline = Date.now() + (this.options.drainMs ?? 5000);
    while (stack.streamable.inFlight > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    await stack.streamable.close();
    await stack.sse.close();
    await this.running?.close();
  }
}
