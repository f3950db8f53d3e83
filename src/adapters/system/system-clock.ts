import type { Clock, Timer } from '../../ports/clock.js';

/** Node's setTimeout fires at once above 2^31-1 ms (~24.8 days); longer waits are chained in steps. */
const MAX_STEP_MS = 6 * 60 * 60 * 1000;

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  /** Like setTimeout, `fn` is always called from a later tick, never from inside this call. */
  setTimer(ms: number, fn: () => void): Timer {
    const due = Date.now() + Math.max(0, ms);
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const fire = () => {
      if (cancelled) return;
      if (due - Date.now() <= 0) fn();
      else arm();
    };
    const arm = () => {
      handle = setTimeout(fire, Math.min(Math.max(0, due - Date.now()), MAX_STEP_MS));
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: Timer | undefined;
      const onAbort = () => {
        timer?.cancel();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
