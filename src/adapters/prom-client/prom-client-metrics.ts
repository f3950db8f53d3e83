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
  private readonly requestSeconds: Histogram<'transport' | 'method' | 'tool'>;
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
  /** Per transport, method and tool (bounded values): labels made once, counts not yet in the counter. */
  private readonly series = new Map<string, RequestSeries>();

  constructor(
    private readonly clock: Clock,
    options: { readonly processMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    const seconds = (d: Date) => d.getTime() / 1000;
    const now = () => seconds(this.clock.now());
    const series = this.series;
    new Counter({
      name: 'certdocs_requests_total',
      help: 'Requests answered, by transport, JSON-RPC method (or API route), tool and outcome (ok, error)',
      labelNames: ['transport', 'method', 'tool', 'outcome'],
      registers,
      // Requests are counted in plain fields and added here, when the counter is read: prom-client
      // checks and hashes the labels on every inc(), which cost more than serving a small fetch.
      collect() {
        for (const s of series.values()) {
          if (s.ok > 0) this.inc(s.okLabels, s.ok);
          if (s.failed > 0) this.inc(s.errorLabels, s.failed);
          s.ok = 0;
          s.failed = 0;
        }
      },
    });
    this.requestSeconds = new Histogram({
      name: 'certdocs_request_duration_seconds',
      help: 'Time to answer a request, by transport, JSON-RPC method (or API route) and tool',
      labelNames: ['transport', 'method', 'tool'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
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
    if (validMs(r.ms)) this.requestSeconds.observe(s.labels, r.ms / 1000);
  }

  /** At most transports × MAX_LABEL_VALUES² of them: the values are bounded already. */
  private seriesOf(transport: string, method: string, tool: string): RequestSeries {
    const key = `${transport} ${method} ${tool}`;
    let s = this.series.get(key);
    if (!s) {
      const labels = { transport, method, tool };
      s = {
        labels,
        okLabels: { ...labels, outcome: 'ok' },
        errorLabels: { ...labels, outcome: 'error' },
        ok: 0,
        failed: 0,
      };
      this.series.set(key, s);
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
