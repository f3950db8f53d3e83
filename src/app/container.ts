import 'reflect-metadata';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import { FsMarkdownDocSource } from '../adapters/filesystem/fs-markdown-doc-source.js';
import { HttpMcpTransport } from '../adapters/hono/http-mcp-transport.js';
import { HugoIndexDocSource } from '../adapters/hugo-index/hugo-index-doc-source.js';
import { DocsMcpServerFactory } from '../adapters/mcp-sdk/docs-mcp-server.js';
import { StdioMcpTransport } from '../adapters/mcp-sdk/stdio-mcp-transport.js';
import { PinoLogger } from '../adapters/pino/pino-logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { ServeDocs } from '../domain/serve-docs.js';
import { CLOCK } from '../ports/clock.js';
import { DOC_SOURCE } from '../ports/doc-source.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { MCP_TRANSPORT } from '../ports/mcp-transport.js';
import type { AppConfig } from './config.js';
import { VERSION } from './version.js';

export const APP_CONFIG = Symbol.for('certdocs.AppConfig');

/**
 * The one composition root: the only place that knows which adapter stands behind which port.
 * Every call builds a child container, so tests can register fakes over any token without touching
 * the global container (acme-client's x509 dependency keeps its crypto providers there).
 */
export function buildContainer(
  config: AppConfig,
  parent: DependencyContainer = rootContainer,
): DependencyContainer {
  const c = parent.createChildContainer();
  c.register(APP_CONFIG, { useValue: config });
  c.register(LOGGER, { useValue: new PinoLogger(config.logLevel) });
  c.register(CLOCK, { useValue: new SystemClock() });
  c.register(DOC_SOURCE, {
    useFactory: (r) =>
      config.docs.kind === 'dir'
        ? new FsMarkdownDocSource(config.docs.location, r.resolve<Logger>(LOGGER))
        : new HugoIndexDocSource(config.docs.location),
  });
  c.registerSingleton(ServeDocs);
  c.register(DocsMcpServerFactory, {
    useFactory: (r) =>
      new DocsMcpServerFactory(r.resolve(ServeDocs), r.resolve<Logger>(LOGGER), {
        name: 'certdocs',
        version: VERSION,
      }),
  });
  c.register(MCP_TRANSPORT, {
    useFactory: (r) =>
      config.transport === 'stdio'
        ? new StdioMcpTransport(r.resolve(DocsMcpServerFactory))
        : new HttpMcpTransport(
            r.resolve(ServeDocs),
            r.resolve(DocsMcpServerFactory),
            r.resolve<Logger>(LOGGER),
            {
              host: config.host,
              port: config.port,
              maxBodyBytes: config.maxBodyBytes,
              guard: {
                allowedHosts: config.allowedHosts,
                allowedOrigins: config.allowedOrigins,
                domains: config.acme?.domains ?? [],
              },
            },
          ),
  });
  return c;
}
