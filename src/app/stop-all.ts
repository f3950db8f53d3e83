import type { Logger } from '../ports/logger.js';

/** One part of shutting down, named for the log. */
export type StopStep = readonly [name: string, run: () => unknown];

/**
 * Runs every step in order, whatever the previous one did: a listener that fails to close must
 * not keep the pid file in place or drop the index waiting to be saved. Failures are logged;
 * the returned promise always resolves.
 */
export async function stopAll(logger: Logger, steps: readonly StopStep[]): Promise<void> {
  let failures = 0;
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (e) {
      failures++;
      logger.error(`shutdown: ${name} failed`, { error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (failures) logger.warn('stopped, with errors', { failures });
  else logger.info('stopped');
}
