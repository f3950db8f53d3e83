import { vi } from 'vitest';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { runClockContract } from './clock.contract.js';

runClockContract('FakeClock', async () => {
  const clock = new FakeClock();
  return { clock, advance: (ms) => clock.advance(ms), cleanup: async () => {} };
});

// Nobody waits 60 days: Vitest's fake timers stand in for Node's, and like Node they fire a delay
// beyond 2^31-1 ms after 1 ms, so a SystemClock that handed such a delay to setTimeout would fail.
runClockContract('SystemClock', async () => {
  vi.useFakeTimers();
  return {
    clock: new SystemClock(),
    advance: async (ms) => {
      await vi.advanceTimersByTimeAsync(ms);
    },
    cleanup: async () => {
      vi.useRealTimers();
    },
  };
});
