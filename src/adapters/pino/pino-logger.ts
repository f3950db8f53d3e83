import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { LogFields, Logger, LogLevelName } from '../../ports/logger.js';
import { redactFields, redactText } from './redact-secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * JSON lines on stderr: stdout belongs to the MCP stdio transport, and container platforms collect
 * stderr just the same. Secrets (private keys, the EAB HMAC key, tokens, key authorizations) are
 * redacted from every line, whichever field or message carries them: a log is copied to places a key
 * must never go.
 */
export class PinoLogger implements Logger {
  private readonly log: pino.Logger;

  /**
   * `destination` is for tests; by default lines go to fd 2, synchronously: JSON, or with `pretty`
   * coloured lines for people (pino-pretty, loaded only then).
   */
  constructor(
    level: LogLevel = 'info',
    destination?: pino.DestinationStream,
    options: { pretty?: boolean } = {},
  ) {
    this.log = pino(
      { level, base: { app: 'certdocs' } },
      destination ?? (options.pretty ? prettyStderr() : pino.destination({ fd: 2, sync: true })),
    );
  }

  isEnabled(level: LogLevelName): boolean {
    return this.log.isLevelEnabled(level);
  }
  debug(msg: string, fields?: LogFields): void {
    if (this.log.isLevelEnabled('debug')) this.log.debug(redactFields(fields ?? {}), redactText(msg));
  }
  info(msg: string, fields?: LogFields): void {
    if (this.log.isLevelEnabled('info')) this.log.info(redactFields(fields ?? {}), redactText(msg));
  }
  warn(msg: string, fields?: LogFields): void {
    if (this.log.isLevelEnabled('warn')) this.log.warn(redactFields(fields ?? {}), redactText(msg));
  }
  error(msg: string, fields?: LogFields): void {
    if (this.log.isLevelEnabled('error')) this.log.error(redactFields(fields ?? {}), redactText(msg));
  }
}

/** pino-pretty writing to stderr; required at run time so that JSON-only starts never load it. */
function prettyStderr(): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => pino.DestinationStream;
  return pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname,app' });
}
