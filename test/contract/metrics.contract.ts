import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src/domain/certificate.js';
import type { Metrics } from '../../src/ports/metrics.js';
import { FakeClock } from '../fakes/fake-clock.js';

export interface MadeMetrics {
  readonly metrics: Metrics;
  /** The Prometheus text an implementation that exposes its metrics answers GET /metrics with. */
  readonly exposition?: () => Promise<string>;
}

const CERT: CertificateInfo = {
  names: ['docs.example.com', 'www.docs.example.com'],
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2026-04-01T00:00:00Z'),
  issuer: 'Fake CA',
  serialHex: '01',
  keyMatches: true,
};

/** One sample of the exposition: `name{labels} value`, labels matched exactly; undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    const wanted = Object.entries(labels);
    if (Object.keys(found).length !== wanted.length) continue;
    if (wanted.every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Every value a label takes in the exposition, over every sample of `name`. */
export function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  const pattern = new RegExp(`^${name}\\{[^}]*\\b${label}="((?:[^"\\\\]|\\\\.)*)"`);
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (m?.[1] !== undefined) values.add(m[1]);
  }
  return values;
}

/**
 * What every Metrics promises: recording never throws and never waits, whatever the values (NaN
 * latencies, client-chosen names of any length). An implementation that exposes its metrics
 * shows each event under the right series and labels, and keeps client- and CA-chosen label
 * values (method, tool, error code) few: past a bound, or malformed, they are counted as `other`.
 * Run against NO_METRICS, the recording fake and PromClientMetrics.
 */
export function runMetricsContract(label: string, make: (clock: FakeClock) => MadeMetrics): void {
  describe(`Metrics contract: ${label}`, () => {
    it('takes every event, whatever the values, synchronously and without throwing', () => {
      const { metrics } = make(new FakeClock());
      const odd = ['', 'x'.repeat(10_000), 'a"b\nc{d}', '\u0000', 'tools/call'];
      for (const name of odd) {
        for (const ms of [0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          for (const transport of ['streamable-http', 'sse', 'stdio', 'api'] as const) {
            expect(
              metrics.requestServed({ transport, method: name, tool: name, ok: false, ms }),
            ).toBeUndefined();
          }
          expect(metrics.searchServed(ms)).toBeUndefined();
        }
        expect(metrics.orderFailed(name)).toBeUndefined();
      }
      expect(metrics.indexBuilt({ documents: 0, sections: 0, builtAt: new Date(0) })).toBeUndefined();
      expect(metrics.refreshed(true)).toBeUndefined();
      expect(metrics.refreshed(false)).toBeUndefined();
      expect(metrics.certificateInstalled(CERT, new Date('2026-03-02T00:00:00Z'))).toBeUndefined();
      expect(metrics.certificateInstalled({ ...CERT, names: [] }, new Date(Number.NaN))).toBeUndefined();
      expect(metrics.orderAttempted()).toBeUndefined();
    });

    const exposed = make(new FakeClock()).exposition !== undefined;
    describe.skipIf(!exposed)(
      exposed ? 'exposition' : 'exposition (skipped: this implementation keeps no text to scrape)',
      () => {
        const setup = () => {
          const clock = new FakeClock(new Date('2026-02-01T00:00:00Z'));
          const made = make(clock);
          const scrape = made.exposition as () => Promise<string>;
          return { clock, metrics: made.metrics, scrape };
        };

        it('counts requests by transport, method, tool and outcome, and times them', async () => {
          const { metrics, scrape } = setup();
          metrics.requestServed({
            transport: 'streamable-http',
            method: 'tools/call',
            tool: 'search',
            ok: true,
            ms: 3,
          });
          const call = { transport: 'streamable-http', method: 'tools/call', tool: 'search', outcome: 'ok' };
          const before = sample(await scrape(), 'certdocs_requests_total', call);
          expect(before).toBe(1);
          metrics.requestServed({
            transport: 'streamable-http',
            method: 'tools/call',
            tool: 'search',
            ok: true,
            ms: 4,
          });
          metrics.requestServed({ transport: 'sse', method: 'tools/call', tool: 'fetch', ok: false, ms: 2 });
          metrics.requestServed({ transport: 'stdio', method: 'initialize', ok: true, ms: 1 });
          metrics.requestServed({ transport: 'api', method: 'search', ok: true, ms: 1 });
          const text = await scrape();
          expect(sample(text, 'certdocs_requests_total', call)).toBe(2);
          expect(
            sample(text, 'certdocs_requests_total', {
              transport: 'sse',
              method: 'tools/call',
              tool: 'fetch',
              outcome: 'error',
            }),
          ).toBe(1);
          expect(
            sample(text, 'certdocs_requests_total', {
              transport: 'stdio',
              method: 'initialize',
              tool: '',
              outcome: 'ok',
            }),
          ).toBe(1);
          expect(
            sample(text, 'certdocs_requests_total', {
              transport: 'api',
              method: 'search',
              tool: '',
              outcome: 'ok',
            }),
          ).toBe(1);
          const timed = { transport: 'streamable-http', method: 'tools/call', tool: 'search' };
          expect(sample(text, 'certdocs_request_duration_seconds_count', timed)).toBe(2);
          expect(sample(text, 'certdocs_request_duration_seconds_sum', timed)).toBeCloseTo(0.007);
          expect(sample(text, 'certdocs_request_duration_seconds_bucket', { ...timed, le: '0.005' })).toBe(2);
        });

        it('times searches in a histogram, leaving out impossible latencies', async () => {
          const { metrics, scrape } = setup();
          metrics.searchServed(0.4);
          metrics.searchServed(20);
          metrics.searchServed(Number.NaN);
          metrics.searchServed(-1);
          const text = await scrape();
          expect(sample(text, 'certdocs_search_duration_seconds_count')).toBe(2);
          expect(sample(text, 'certdocs_search_duration_seconds_bucket', { le: '0.001' })).toBe(1);
          expect(sample(text, 'certdocs_search_duration_seconds_bucket', { le: '+Inf' })).toBe(2);
        });

        it("shows the index's size and age, the age growing with the clock", async () => {
          const { clock, metrics, scrape } = setup();
          expect(sample(await scrape(), 'certdocs_index_age_seconds')).toBe(0);
          metrics.indexBuilt({ documents: 12, sections: 345, builtAt: clock.now() });
          await clock.advance(90_000);
          const text = await scrape();
          expect(sample(text, 'certdocs_index_documents')).toBe(12);
          expect(sample(text, 'certdocs_index_sections')).toBe(345);
          expect(sample(text, 'certdocs_index_age_seconds')).toBe(90);
        });

        it('counts refreshes by result and keeps the last one', async () => {
          const { clock, metrics, scrape } = setup();
          const fresh = await scrape();
          expect(sample(fresh, 'certdocs_docs_refreshes_total', { result: 'failed' })).toBe(0);
          expect(sample(fresh, 'certdocs_docs_last_refresh_timestamp_seconds')).toBe(0);
          metrics.refreshed(true);
          metrics.refreshed(false);
          let text = await scrape();
          expect(sample(text, 'certdocs_docs_refreshes_total', { result: 'ok' })).toBe(1);
          expect(sample(text, 'certdocs_docs_refreshes_total', { result: 'failed' })).toBe(1);
          expect(sample(text, 'certdocs_docs_last_refresh_success')).toBe(0);
          expect(sample(text, 'certdocs_docs_last_refresh_timestamp_seconds')).toBe(
            clock.now().getTime() / 1000,
          );
          metrics.refreshed(true);
          text = await scrape();
          expect(sample(text, 'certdocs_docs_last_refresh_success')).toBe(1);
        });

        it("shows the certificate's expiry and the time to its renewal, for the one in service", async () => {
          const { clock, metrics, scrape } = setup();
          expect(
            labelValues(await scrape(), 'certdocs_certificate_not_after_timestamp_seconds', 'name').size,
          ).toBe(0);
          metrics.certificateInstalled(CERT, new Date('2026-03-02T00:00:00Z'));
          await clock.advance(3600_000);
          let text = await scrape();
          const name = { name: 'docs.example.com' };
          expect(sample(text, 'certdocs_certificate_not_after_timestamp_seconds', name)).toBe(
            CERT.notAfter.getTime() / 1000,
          );
          expect(sample(text, 'certdocs_certificate_renewal_in_seconds', name)).toBe(29 * 86_400 - 3600);
          metrics.certificateInstalled(
            { ...CERT, names: ['docs.example.org'] },
            new Date('2026-01-01T00:00:00Z'),
          );
          text = await scrape();
          expect(labelValues(text, 'certdocs_certificate_not_after_timestamp_seconds', 'name')).toEqual(
            new Set(['docs.example.org']),
          );
          expect(
            sample(text, 'certdocs_certificate_renewal_in_seconds', { name: 'docs.example.org' }),
          ).toBeLessThan(0);
        });

        it('counts ACME orders and their failures by error code', async () => {
          const { metrics, scrape } = setup();
          metrics.orderAttempted();
          metrics.orderFailed('acme.rate_limited');
          metrics.orderAttempted();
          metrics.orderFailed('acme.rate_limited');
          metrics.orderAttempted();
          metrics.orderFailed('unexpected');
          const text = await scrape();
          expect(sample(text, 'certdocs_certificate_orders_total')).toBe(3);
          expect(
            sample(text, 'certdocs_certificate_order_failures_total', { code: 'acme.rate_limited' }),
          ).toBe(2);
          expect(sample(text, 'certdocs_certificate_order_failures_total', { code: 'unexpected' })).toBe(1);
        });

        it('keeps client- and CA-chosen label values few: the rest, and malformed ones, are "other"', async () => {
          const { metrics, scrape } = setup();
          for (let i = 0; i < 500; i++) {
            metrics.requestServed({ transport: 'sse', method: `m${i}`, tool: `t${i}`, ok: true, ms: 1 });
            metrics.orderFailed(`acme.made_up_${i}`);
          }
          metrics.requestServed({
            transport: 'sse',
            method: 'a"b\nc',
            tool: 'x'.repeat(1000),
            ok: true,
            ms: 1,
          });
          const text = await scrape();
          for (const [name, label] of [
            ['certdocs_requests_total', 'method'],
            ['certdocs_requests_total', 'tool'],
            ['certdocs_certificate_order_failures_total', 'code'],
          ] as const) {
            const values = labelValues(text, name, label);
            expect(values.has('other'), `${name}{${label}}`).toBe(true);
            expect(values.size, `${name}{${label}}`).toBeLessThanOrEqual(64);
          }
          expect(text).not.toContain('x'.repeat(100));
          expect(text).not.toContain('a\\"b');
        });

        it("includes the process's own metrics", async () => {
          const { scrape } = setup();
          const text = await scrape();
          expect(text).toMatch(/^process_cpu_user_seconds_total /m);
          expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
        });
      },
    );
  });
}
