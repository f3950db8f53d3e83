import { pino } from 'pino';
import type { LogFields, Logger } from '../../ports/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * JSON lines on stderr: stdout belongs to the MCP stdio transport, and container platforms collect
 * stderr just the same.
 */
export class PinoLogger implements Logger {
  private readonly log: pino.Logger;

  constructor(level: LogLevel = 'info') {
    this.log = pino({ level, base: { app: 'certdocs' } }, pino.destination({ fd: 2, sync: true }));
  }

  debug(msg: string, fields?: LogFields): void {
    this.log.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.log.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.log.error(fields ?? {}, msg);
  }
}
