import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CertificateInfo } from '../../domain/certificate.js';
import type { Clock } from '../../ports/clock.js';
import type { IndexFigures, Metrics, RequestServed } from '../../ports/metrics.js';

/** What GET /metrics answers with. */
export interface Exposition {
  readonly contentType: string;
  readonly text: string;
}

/** Label values beyond this many distinct ones (per label) are counted as `other`. */
export const MAX_LABEL_VALUES = 32;
const LABEL_VALUE = /^[A-Za-z0-9_./-]{1,64}$/;

/** Request latencies: from a cached search (sub-millisecond) to a slow tool call. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SEARCH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Metrics in Prometheus' text format, with prom-client: certdocs' own series (`certdocs_…`) and
 * prom-client's process and Node.js metrics, in a registry of its own (not the library's global
 * one, so two instances never share series).
 */
export class PromClientMetrics implements Metrics {
  private readonly registry = new Registry();
  private readonly methods = new BoundedLabel(MAX_LABEL_VALUES);
  private readonly tools = new BoundedLabel(MAX_LABEL_VALUES);
  private readonly codes = new BoundedLabel(MAX_LABEL_VALUES);
  private readonly searchSeconds: Histogram;
  private readonly documents: Gauge;
  private readonly sections: Gauge;
  private readonly refreshes: Counter<'result'>;
  private readonly lastRefreshOk: Gauge;
  private readonly lastRefreshAt: Gauge;
  private readonly notAfter: Gauge<'name'>;
  private readonly orders: Counter;
  private readonly orderFailures: Counter<'code'>;
  private builtAt: Date | undefined;
  private renewal: { name: string; at: Date } | undefined;
  /** By transport, method and tool (bounded values): labels made once, counts not yet in the counter. */
  private readonly series = new Map<string, Map<string, Map<string, RequestSeries>>>();
  private readonly allSeries: RequestSeries[] = [];

  constructor(
    private readonly clock: Clock,
    options: { readonly processMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    const seconds = (d: Date) => d.getTime() / 1000;
    const now = () => seconds(this.clock.now());
    const series = this.allSeries;
    new Counter({
      name: 'certdocs_requests_total',
      help: 'Requests answered, by transport, JSON-RPC method (or API route), tool and outcome (ok, error)',
      labelNames: ['transport', 'method', 'tool', 'outcome'],
      registers,
      // Requests are counted in plain fields and added here, when the counter is read: prom-client
      // checks and hashes the labels on every inc(), which cost more than serving a small fetch.
      collect() {
        for (const s of series) {
          if (s.ok > 0) this.inc(s.okLabels, s.ok);
          if (s.failed > 0) this.inc(s.errorLabels, s.failed);
          s.ok = 0;
          s.failed = 0;
        }
      },
    });
    // Counted per series in plain arrays (RequestHistogram): prom-client's observe() checks and
    // hashes the labels on every call, which cost more than the rest of recording a request.
    this.registry.registerMetric(
      new RequestHistogram(
        'certdocs_request_duration_seconds',
        'Time to answer a request, by transport, JSON-RPC method (or API route) and tool',
        series,
      ) as unknown as Histogram,
    );
    this.searchSeconds = new Histogram({
      name: 'certdocs_search_duration_seconds',
      help: 'Time to run a search over the index (any transport)',
      buckets: SEARCH_BUCKETS,
      registers,
    });
    this.documents = new Gauge({
      name: 'certdocs_index_documents',
      help: 'Documents in the served index',
      registers,
    });
    this.sections = new Gauge({
      name: 'certdocs_index_sections',
      help: 'Sections in the served index',
      registers,
    });
    const builtAt = () => this.builtAt;
    new Gauge({
      name: 'certdocs_index_age_seconds',
      help: 'Seconds since the served index was built (0 until there is one)',
      registers,
      collect() {
        const at = builtAt();
        this.set(at ? Math.max(0, now() - seconds(at)) : 0);
      },
    });
    this.refreshes = new Counter({
      name: 'certdocs_docs_refreshes_total',
      help: 'Refreshes of the docs source, by result (ok, failed)',
      labelNames: ['result'],
      registers,
    });
    // Both results exist from the start, so rate() and increase() see the first failure.
    this.refreshes.inc({ result: 'ok' }, 0);
    this.refreshes.inc({ result: 'failed' }, 0);
    this.lastRefreshOk = new Gauge({
      name: 'certdocs_docs_last_refresh_success',
      help: 'Whether the last refresh of the docs succeeded (1) or failed (0); see _timestamp_seconds for whether one ran',
      registers,
    });
    this.lastRefreshAt = new Gauge({
      name: 'certdocs_docs_last_refresh_timestamp_seconds',
      help: 'When the docs were last refreshed, in Unix seconds (0: not yet)',
      registers,
    });
    this.notAfter = new Gauge({
      name: 'certdocs_certificate_not_after_timestamp_seconds',
      help: 'When the certificate in service expires, in Unix seconds, by its first name',
      labelNames: ['name'],
      registers,
    });
    const renewal = () => this.renewal;
    new Gauge({
      name: 'certdocs_certificate_renewal_in_seconds',
      help: 'Seconds until the planned renewal of the certificate in service (negative: overdue)',
      labelNames: ['name'],
      registers,
      collect() {
        this.reset();
        const r = renewal();
        if (r) this.set({ name: r.name }, Math.round(seconds(r.at) - now()));
      },
    });
    this.orders = new Counter({
      name: 'certdocs_certificate_orders_total',
      help: 'ACME orders attempted (first certificate and renewals, each retry counted)',
      registers,
    });
    this.orderFailures = new Counter({
      name: 'certdocs_certificate_order_failures_total',
      help: 'ACME orders that failed, by error code (the ACME problem type, e.g. acme.rate_limited)',
      labelNames: ['code'],
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The whole registry in Prometheus' text format. */
  async exposition(): Promise<Exposition> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  requestServed(r: RequestServed): void {
    const s = this.seriesOf(
      r.transport,
      this.methods.of(r.method),
      r.tool === undefined ? '' : this.tools.of(r.tool),
    );
    if (r.ok) s.ok++;
    else s.failed++;
    if (!validMs(r.ms)) return;
    const seconds = r.ms / 1000;
    let b = 0;
    while (b < REQUEST_BUCKETS.length && seconds > (REQUEST_BUCKETS[b] as number)) b++;
    (s.buckets[b] as number)++;
    s.sum += seconds;
    s.count++;
  }

  /** At most transports × MAX_LABEL_VALUES² of them: the values are bounded already. */
  private seriesOf(transport: string, method: string, tool: string): RequestSeries {
    // Nested maps of the label values (strings that keep their hash), not a key built per request.
    let byMethod = this.series.get(transport);
    if (!byMethod) {
      byMethod = new Map();
      this.series.set(transport, byMethod);
    }
    let byTool = byMethod.get(method);
    if (!byTool) {
      byTool = new Map();
      byMethod.set(method, byTool);
    }
    let s = byTool.get(tool);
    if (!s) {
      const labels = { transport, method, tool };
      s = {
        labels,
        okLabels: { ...labels, outcome: 'ok' },
        errorLabels: { ...labels, outcome: 'error' },
        ok: 0,
        failed: 0,
        buckets: new Float64Array(REQUEST_BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      byTool.set(tool, s);
      this.allSeries.push(s);
    }
    return s;
  }

  searchServed(ms: number): void {
    if (validMs(ms)) this.searchSeconds.observe(ms / 1000);
  }

  indexBuilt(index: IndexFigures): void {
    this.documents.set(index.documents);
    this.sections.set(index.sections);
    this.builtAt = index.builtAt;
  }

  refreshed(ok: boolean): void {
    this.refreshes.inc({ result: ok ? 'ok' : 'failed' });
    this.lastRefreshOk.set(ok ? 1 : 0);
    this.lastRefreshAt.set(Math.round(this.clock.now().getTime() / 1000));
  }

  certificateInstalled(info: CertificateInfo, renewAt: Date): void {
    // One series per certificate in service: a renewal under other names replaces the old one.
    const name = info.names[0] ?? 'unknown';
    this.notAfter.reset();
    this.notAfter.set({ name }, Math.round(info.notAfter.getTime() / 1000));
    this.renewal = { name, at: renewAt };
  }

  orderAttempted(): void {
    this.orders.inc();
  }

  orderFailed(code: string): void {
    this.orderFailures.inc({ code: this.codes.of(code) });
  }
}

interface RequestSeries {
  readonly labels: Readonly<Record<'transport' | 'method' | 'tool', string>>;
  readonly okLabels: Readonly<Record<'transport' | 'method' | 'tool' | 'outcome', string>>;
  readonly errorLabels: Readonly<Record<'transport' | 'method' | 'tool' | 'outcome', string>>;
  /** Requests since the counter was last read. */
  ok: number;
  failed: number;
  /** The duration histogram: counts per bucket (not cumulative; the last one past every bound). */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * certdocs_request_duration_seconds, from the series' own counts: the metric object prom-client's
 * registry reads (as it reads its Histogram: the same samples, labels and order in the exposition).
 */
class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly series: readonly RequestSeries[],
  ) {}

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series) {
      if (s.count === 0) continue;
      let cumulative = 0;
      REQUEST_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i] as number;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.series) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/**
 * Keeps a label's values few: the first `max` distinct well-formed values are used as they are,
 * anything after (or malformed) is `other`. Clients choose method and tool names, CAs problem types.
 */
class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (!LABEL_VALUE.test(value) || this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

function validMs(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}
