import { inject, injectable } from 'tsyringe';
import { CLOCK, type Clock, type Timer } from '../ports/clock.js';
import { DOC_SOURCE, type DocSource } from '../ports/doc-source.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { METRICS, type Metrics, NO_METRICS } from '../ports/metrics.js';
import { FRESHNESS_SETTINGS, type FreshnessSettings } from '../ports/settings.js';
import { ServeDocs } from './serve-docs.js';

/**
 * Keeps the served index in step with its source without downtime: local sources are watched,
 * remote ones polled. Refreshes never overlap (a change during one schedules exactly one more),
 * and `onChanged` runs only when the content really changed.
 */
@injectable()
export class KeepDocsFresh {
  private stopWatching: (() => void) | undefined;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private onChanged: () => void = () => undefined;

  constructor(
    @inject(ServeDocs) private readonly docs: ServeDocs,
    @inject(DOC_SOURCE) private readonly source: DocSource,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(FRESHNESS_SETTINGS) private readonly settings: FreshnessSettings,
    @inject(METRICS) private readonly metrics: Metrics = NO_METRICS,
  ) {}

  start(onChanged: () => void): void {
    this.onChanged = onChanged;
    if (!this.source.remote && this.source.watch) {
      this.stopWatching = this.source.watch(() => void this.refreshNow());
    }
    if (this.source.remote && this.settings.refreshIntervalMs > 0) this.schedule();
  }

  /** Runs one refresh (or queues one behind the running refresh); resolves when done. */
  refreshNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const { changed, error } = await this.docs.refresh();
          this.metrics.refreshed(error === undefined);
          if (changed) {
            this.logger.info('docs changed; clients notified', { source: this.source.description });
            this.onChanged();
          }
        } catch (e) {
          this.metrics.refreshed(false);
          // A build that throws (out of memory, a bug) must not end the process: callers discard
          // this promise (watcher, timer), and the previous index is still being served.
          this.logger.error('docs refresh failed; still serving the previous index', {
            source: this.source.description,
            error: (e as Error).message,
          });
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    this.stopWatching?.();
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.settings.refreshIntervalMs, () => {
      void this.refreshNow().finally(() => this.schedule());
    });
  }
}
