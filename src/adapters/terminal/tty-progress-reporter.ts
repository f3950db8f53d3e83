import type { WriteStream } from 'node:tty';
import type { Logger } from '../../ports/logger.js';
import type { ProgressReporter } from '../../ports/progress-reporter.js';

const WIDTH = 30;
const FIRST_AFTER_MS = 2000;
const EVERY_MS = 2000;

/**
 * Indexing that takes more than a couple of seconds says how far it got: a redrawn bar when
 * stderr is a terminal, a log line every 2 s otherwise (stdout belongs to the stdio transport).
 */
export class TtyProgressReporter implements ProgressReporter {
  private readonly started = new Map<string, number>();
  private readonly lastShown = new Map<string, number>();
  private drawn = false;

  constructor(
    private readonly logger: Logger,
    private readonly tty: Pick<WriteStream, 'write'> | undefined = process.stderr.isTTY
      ? process.stderr
      : undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(task: string, done: number, total: number, stage?: string): void {
    const t = this.now();
    const started = this.started.get(task) ?? t;
    this.started.set(task, started);
    if (t - started < FIRST_AFTER_MS) return;
    const label = stage ? `${task} (${stage})` : task;
    // Clamped both ways: a negative count would make '#'.repeat throw inside an indexing job.
    const percent = total > 0 ? Math.max(0, Math.min(100, Math.round((100 * done) / total))) : 0;
    if (this.tty) {
      const filled = Math.round((WIDTH * percent) / 100);
      this.tty.write(
        `\r${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${percent}% ${done}/${total}`,
      );
      this.drawn = true;
      return;
    }
    if (t - (this.lastShown.get(task) ?? 0) < EVERY_MS) return;
    this.lastShown.set(task, t);
    this.logger.info(`${label}: ${done}/${total}`, { task, stage, done, total, percent });
  }

  finish(task: string): void {
    this.started.delete(task);
    this.lastShown.delete(task);
    if (this.tty && this.drawn) {
      this.tty.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}
