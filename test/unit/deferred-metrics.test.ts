import { describe, expect, it } from 'vitest';
import { DeferredMetrics } from '../../src/app/deferred-metrics.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';

describe('DeferredMetrics (prom-client loads after a first order starts)', () => {
  it('replays what was recorded before the recorder came, in order, then forwards', () => {
    const deferred = new DeferredMetrics();
    deferred.orderAttempted();
    deferred.orderFailed('acme.rate_limited');
    deferred.searchServed(3);
    deferred.orderAttempted();
    const real = new RecordingMetrics();
    expect(real.orders).toBe(0);
    deferred.attach(real);
    expect(real.orders).toBe(2);
    expect(real.orderFailures).toEqual(['acme.rate_limited']);
    expect(real.searches).toEqual([3]);
    deferred.searchServed(7);
    expect(real.searches).toEqual([3, 7]);
  });

  it('keeps the first recorder when attached twice, and bounds what it queues', () => {
    const deferred = new DeferredMetrics();
    for (let i = 0; i < 20_000; i++) deferred.searchServed(i);
    const first = new RecordingMetrics();
    deferred.attach(first);
    deferred.attach(new RecordingMetrics());
    deferred.refreshed(true);
    expect(first.searches.length).toBe(10_000);
    expect(first.refreshes).toEqual([true]);
  });
});
