import type { StoredCertificate } from '../../domain/certificate.js';
import type { ServeDocs } from '../../domain/serve-docs.js';
import type { CertificateInstaller } from '../../ports/certificate-installer.js';
import type { Logger } from '../../ports/logger.js';
import type { McpTransport } from '../../ports/mcp-transport.js';
import type { DocsMcpServerFactory } from '../mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../mcp-sdk/streamable-http-endpoint.js';
import { createDocsHttpApp } from './docs-http-app.js';
import { type RunningServer, serveNode, type TlsMaterial } from './node-server.js';
import type { GuardOptions } from './request-guard.js';

export interface HttpMcpTransportOptions {
  readonly host?: string;
  readonly port: number;
  readonly guard: GuardOptions;
  readonly maxBodyBytes: number;
  /** Serve HTTPS: a certificate must be installed before start(). */
  readonly https?: boolean;
  readonly health?: () => Record<string, unknown>;
  /** When TLS-ALPN-01 is on, the front door owns the port and hands connections over. */
  readonly frontDoor?: { setTarget(server: import('node:net').Server): void; port: number };
}

/** MCP over HTTP(S): Streamable HTTP at /mcp, legacy SSE at /sse + /message, /healthz, /api/search. */
export class HttpMcpTransport implements McpTransport, CertificateInstaller {
  private running: RunningServer | undefined;
  private readonly streamable: StreamableHttpEndpoint;
  private readonly sse: LegacySseEndpoint;
  private tls: TlsMaterial | undefined;

  constructor(
    private readonly docs: ServeDocs,
    factory: DocsMcpServerFactory,
    private readonly logger: Logger,
    private readonly options: HttpMcpTransportOptions,
  ) {
    const create = () => factory.create();
    this.streamable = new StreamableHttpEndpoint({ createServer: create, logger });
    this.sse = new LegacySseEndpoint(create, logger);
  }

  async start(): Promise<{ url: string }> {
    const app = createDocsHttpApp({
      guard: this.options.guard,
      maxBodyBytes: this.options.maxBodyBytes,
      docs: this.docs,
      streamable: this.streamable,
      sse: this.sse,
      health: this.options.health,
    });
    if (this.options.https && !this.tls) throw new Error('HTTPS transport started without a certificate');
    this.running = await serveNode(app, {
      host: this.options.host,
      port: this.options.port,
      tls: this.tls,
      frontDoor: this.options.frontDoor,
    });
    this.logger.info('MCP server listening', {
      url: `${this.running.url}/mcp`,
      sse: `${this.running.url}/sse`,
      tls: Boolean(this.tls),
    });
    return { url: this.running.url };
  }

  get port(): number | undefined {
    return this.running?.port;
  }

  /** Sets the certificate; once running, swaps it for new handshakes without dropping open connections. */
  install(cert: StoredCertificate): void {
    this.tls = { keyPem: cert.keyPem, certPem: cert.certPem };
    this.running?.setCertificate(this.tls);
  }

  notifyResourcesChanged(): void {
    this.streamable.broadcastResourcesChanged();
    this.sse.broadcastResourcesChanged();
  }

  async stop(): Promise<void> {
    await this.streamable.close();
    await this.sse.close();
    await this.running?.close();
  }
}
