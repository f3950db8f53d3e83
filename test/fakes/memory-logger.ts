import { redactFields, redactText } from '../../src/adapters/pino/redact-secrets.js';
import type { LogFields, Logger } from '../../src/ports/logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * Keeps log lines in memory for assertions. Redacts secrets exactly as PinoLogger does, so a test
 * that passes against it would not leak a key through the real logger.
 */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; msg: string; fields?: LogFields }[] = [];

  /** Lines below `level` are dropped, as with the real logger; by default everything is kept. */
  constructor(private readonly level: Level | 'silent' = 'debug') {}

  isEnabled(level: Level): boolean {
    return ORDER[level] >= ORDER[this.level];
  }
  debug(msg: string, fields?: LogFields) {
    this.push('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields) {
    this.push('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields) {
    this.push('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields) {
    this.push('error', msg, fields);
  }
  has(level: string, text: string): boolean {
    return this.lines.some((l) => l.level === level && l.msg.includes(text));
  }
  /** Each line as the text that would reach a log sink. */
  text(): string[] {
    return this.lines.map((l) => JSON.stringify({ level: l.level, msg: l.msg, ...l.fields }));
  }

  private push(level: Level, msg: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    this.lines.push({ level, msg: redactText(msg), fields: fields && redactFields(fields) });
  }
}
