import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from '../../ports/logger.js';
import { metricsResponse, requestLog, type Scrape } from './docs-http-app.js';
import { type RunningServer, serveNode } from './node-server.js';

export interface MetricsListenerOptions {
  readonly host?: string;
  readonly port: number;
  readonly scrape: Scrape;
  readonly logger: Logger;
}

/**
 * `--metrics-port`: GET /metrics on a plain-HTTP listener of its own, for a scraper on a private
 * network. No Origin/Host guard here (Prometheus scrapes by IP address); firewalling the port is
 * the operator's part. Everything else is 404.
 */
export class MetricsListener {
  private running: RunningServer | undefined;
  private readonly app = new Hono<{ Bindings: HttpBindings }>();

  constructor(private readonly options: MetricsListenerOptions) {
    this.app.use('*', requestLog(options.logger));
    this.app.get('/metrics', (c) => metricsResponse(c, options.scrape));
  }

  async start(): Promise<{ url: string; port: number }> {
    this.running = await serveNode(this.app, { host: this.options.host, port: this.options.port });
    this.options.logger.info('metrics listening', { url: `${this.running.url}/metrics` });
    return { url: this.running.url, port: this.running.port };
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }
}
