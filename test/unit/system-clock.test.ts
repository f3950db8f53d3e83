import { afterEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/system/system-clock.js';

describe('SystemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([0, -5])('sleep(%i) with a signal resolves instead of throwing', async (ms) => {
    const signal = new AbortController().signal;
    await expect(new SystemClock().sleep(ms, signal)).resolves.toBeUndefined();
  });

  it('sleep resolves at once when the signal aborts, and stops listening once the time is up', async () => {
    const clock = new SystemClock();
    const abort = new AbortController();
    const long = clock.sleep(60_000, abort.signal);
    abort.abort();
    await expect(long).resolves.toBeUndefined();

    const signal = new AbortController().signal;
    const remove = vi.spyOn(signal, 'removeEventListener');
    await clock.sleep(1, signal);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('setTimer never calls back synchronously, even when no time is left', async () => {
    const fn = vi.fn();
    new SystemClock().setTimer(0, fn);
    expect(fn).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 5));
    expect(fn).toHaveBeenCalledOnce();
  });

  it('setTimer chains steps past the 24.8-day limit and can be cancelled', () => {
    vi.useFakeTimers();
    const clock = new SystemClock();
    const fn = vi.fn();
    const days30 = 30 * 24 * 60 * 60 * 1000;
    clock.setTimer(days30, fn);
    vi.advanceTimersByTime(days30 - 1000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledOnce();

    const cancelled = vi.fn();
    const timer = clock.setTimer(days30, cancelled);
    vi.advanceTimersByTime(7 * 60 * 60 * 1000); // past the first step
    timer.cancel();
    vi.advanceTimersByTime(days30);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
