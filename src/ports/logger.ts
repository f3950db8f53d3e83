export type LogFields = Record<string, unknown>;

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  /** Whether lines at `level` are written: lets a hot path skip building fields nobody reads. */
  isEnabled(level: LogLevelName): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export const LOGGER = Symbol.for('certdocs.Logger');
