import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { DocSourceError } from '../domain/errors.js';
import { ServeDocs } from '../domain/serve-docs.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { MCP_TRANSPORT, type McpTransport } from '../ports/mcp-transport.js';
import type { AppConfig } from './config.js';
import { buildContainer } from './container.js';

export interface RunningApp {
  readonly url?: string;
  readonly container: DependencyContainer;
  stop(): Promise<void>;
}

/** A start-up problem the user fixes by changing config; printed as one line naming the option. */
export class StartupError extends Error {}

/** Starts certdocs: load and index the docs, then open the MCP transport. */
export async function startApp(config: AppConfig, container = buildContainer(config)): Promise<RunningApp> {
  const logger = container.resolve<Logger>(LOGGER);
  const docs = container.resolve(ServeDocs);
  try {
    await docs.load();
  } catch (e) {
    if (e instanceof DocSourceError) throw new StartupError(`--docs (DOCS_SOURCE): ${e.message}`);
    throw e;
  }
  const transport = container.resolve<McpTransport>(MCP_TRANSPORT);
  const { url } = await transport.start();
  return {
    url,
    container,
    stop: async () => {
      await transport.stop();
      logger.info('stopped');
    },
  };
}
