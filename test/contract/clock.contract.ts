import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/ports/clock.js';
import { days, hours, minutes } from '../fakes/fake-clock.js';
import { freshEach } from './fresh-each.js';

export interface MadeClock {
  readonly clock: Clock;
  /** Lets `ms` of the clock's time pass, running whatever falls due (and the promises it settles). */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** Node's setTimeout limit: a longer delay fires after 1 ms instead. */
const NODE_TIMER_LIMIT_MS = 2 ** 31 - 1;

/** Settles `promise` into a flag we can read without waiting for it. */
function track(promise: Promise<void>): { readonly settled: boolean } {
  const state = { settled: false };
  void promise.then(() => {
    state.settled = true;
  });
  return state;
}

/**
 * What every Clock promises the renewal scheduler: a timer fires once, when due and not before, even
 * months ahead (beyond Node's 24.8-day limit); cancel stops it; sleep ends on time or on abort.
 * Run against the fake clock and SystemClock (under Vitest's fake timers, which overflow like Node).
 */
export function runClockContract(name: string, makeClock: () => Promise<MadeClock>): void {
  describe(`Clock contract: ${name}`, () => {
    const make = freshEach<MadeClock>();
    const fresh = () => make(makeClock);

    it('moves now() forward by the time that passed', async () => {
      const { clock, advance } = await fresh();
      const before = clock.now().getTime();
      await advance(minutes(90));
      expect(clock.now().getTime() - before).toBe(minutes(90));
    });

    it('fires a timer once, when due and not before', async () => {
      const { clock, advance } = await fresh();
      const fn = vi.fn();
      clock.setTimer(minutes(5), fn);
      await advance(minutes(5) - 1);
      expect(fn).not.toHaveBeenCalled();
      await advance(1);
      expect(fn).toHaveBeenCalledOnce();
      await advance(days(1));
      expect(fn).toHaveBeenCalledOnce();
    });

    it.each([
      ['30 days', days(30)],
      ['60 days', days(60)],
      ['just past the limit', NODE_TIMER_LIMIT_MS + 1],
    ])('keeps a timer of %s (beyond 24.8 days) until it is due', async (_label, ms) => {
      expect(ms).toBeGreaterThan(NODE_TIMER_LIMIT_MS);
      const { clock, advance } = await fresh();
      const fn = vi.fn();
      clock.setTimer(ms, fn);
      // A timer handed to setTimeout as is would fire here, 1 ms in.
      await advance(1);
      expect(fn).not.toHaveBeenCalled();
      await advance(ms - 2);
      expect(fn).not.toHaveBeenCalled();
      await advance(1);
      expect(fn).toHaveBeenCalledOnce();
    });

    it('fires timers in the order they fall due', async () => {
      const { clock, advance } = await fresh();
      const order: string[] = [];
      clock.setTimer(days(40), () => order.push('40d'));
      clock.setTimer(hours(1), () => order.push('1h'));
      clock.setTimer(days(2), () => order.push('2d'));
      await advance(days(41));
      expect(order).toEqual(['1h', '2d', '40d']);
    });

    it('never calls back from inside setTimer, even with no time left', async () => {
      const { clock, advance } = await fresh();
      for (const ms of [0, -5]) {
        const fn = vi.fn();
        clock.setTimer(ms, fn);
        expect(fn).not.toHaveBeenCalled();
        await advance(0);
        expect(fn).toHaveBeenCalledOnce();
      }
    });

    it('does not fire a cancelled timer, even one cancelled months in', async () => {
      const { clock, advance } = await fresh();
      const soon = vi.fn();
      clock.setTimer(minutes(1), soon).cancel();
      const late = vi.fn();
      const timer = clock.setTimer(days(60), late);
      await advance(days(30));
      timer.cancel();
      await advance(days(60));
      expect(soon).not.toHaveBeenCalled();
      expect(late).not.toHaveBeenCalled();
    });

    it('takes a second cancel, or a cancel after firing, in its stride', async () => {
      const { clock, advance } = await fresh();
      const fn = vi.fn();
      const timer = clock.setTimer(10, fn);
      await advance(10);
      timer.cancel();
      timer.cancel();
      expect(fn).toHaveBeenCalledOnce();
    });

    it('ends a sleep when its time is up, not before, even 60 days out', async () => {
      const { clock, advance } = await fresh();
      const short = track(clock.sleep(minutes(1)));
      const long = track(clock.sleep(days(60)));
      await advance(minutes(1) - 1);
      expect(short.settled).toBe(false);
      await advance(1);
      expect(short.settled).toBe(true);
      await advance(days(60) - minutes(1) - 1);
      expect(long.settled).toBe(false);
      await advance(1);
      expect(long.settled).toBe(true);
    });

    it('ends sleep(0) once the clock ticks', async () => {
      const { clock, advance } = await fresh();
      const zero = track(clock.sleep(0));
      await advance(0);
      expect(zero.settled).toBe(true);
    });

    it('ends a sleep at once when its signal aborts, with no time passing', async () => {
      const { clock } = await fresh();
      const abort = new AbortController();
      const sleeping = clock.sleep(days(60), abort.signal);
      abort.abort();
      await expect(sleeping).resolves.toBeUndefined();

      const before = clock.now().getTime();
      await expect(clock.sleep(days(1), AbortSignal.abort())).resolves.toBeUndefined();
      expect(clock.now().getTime()).toBe(before);
    });
  });
}
