import { PromClientMetrics } from '../../src/adapters/prom-client/prom-client-metrics.js';
import { NO_METRICS } from '../../src/ports/metrics.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';
import { runMetricsContract } from './metrics.contract.js';

// What the composition root wires when metrics are off, and what the use-cases' unit tests record with.
runMetricsContract('NO_METRICS', () => ({ metrics: NO_METRICS }));
runMetricsContract('RecordingMetrics', () => ({ metrics: new RecordingMetrics() }));

runMetricsContract('PromClientMetrics', (clock) => {
  const metrics = new PromClientMetrics(clock);
  return { metrics, exposition: async () => (await metrics.exposition()).text };
});
