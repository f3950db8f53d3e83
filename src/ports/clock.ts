export interface Timer {
  cancel(): void;
}

/** Time as the domain sees it; fakes advance it by hand so no unit test waits. */
export interface Clock {
  now(): Date;
  /** Calls `fn` once after `ms`. Implementations must cope with delays beyond Node's 24.8-day timer limit. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after `ms` (or at once when the signal aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const CLOCK = Symbol.for('certdocs.Clock');
