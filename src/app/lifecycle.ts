import type { Logger } from '../ports/logger.js';
import { stopAll } from './stop-all.js';

/** One part of the running application: a listener, a background job, a file. */
export interface Stage {
  readonly name: string;
  start(): Promise<void> | void;
  stop?(): unknown;
}

/** What main and the CLI get from the composition root: a whole application, ready to start. */
export interface Application {
  /** Starts every part in the declared order; resolves with where clients connect. */
  start(): Promise<{ readonly url?: string; readonly acmeUrl?: string }>;
  /** Stops what was started, in reverse order; always resolves (failures are logged). */
  stop(): Promise<void>;
  /** Renews the certificate now (SIGHUP, `certdocs cert renew`); absent without a domain. */
  readonly renewNow?: () => Promise<void>;
}

/**
 * Starts stages in order and stops them in reverse. When a stage fails to start, the stages
 * already started are stopped and the failure is rethrown: nothing is left listening.
 */
export class Lifecycle {
  private readonly started: Stage[] = [];

  /** `logger` may be a getter: the logger of a graph that a stage loads (see container.ts). */
  constructor(
    private readonly logger: Logger | (() => Logger),
    private readonly stages: readonly Stage[],
  ) {}

  async start(): Promise<void> {
    for (const stage of this.stages) {
      try {
        await stage.start();
      } catch (e) {
        await this.stop();
        throw e;
      }
      this.started.push(stage);
    }
  }

  /** Every started stage is stopped, whatever the previous one did. */
  stop(): Promise<void> {
    const steps = this.started
      .splice(0)
      .reverse()
      .map((s) => [s.name, () => s.stop?.()] as const);
    return stopAll(typeof this.logger === 'function' ? this.logger() : this.logger, steps);
  }
}
