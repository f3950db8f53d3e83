import type { CertificateInfo } from '../domain/certificate.js';
import type { IndexFigures, Metrics, RequestServed } from '../ports/metrics.js';

/** Events kept at most while the real recorder loads; beyond that they are dropped (Metrics allows it). */
const MAX_QUEUED = 10_000;

/**
 * Metrics recorded from the first moment, by a recorder loaded later: prom-client (with its
 * default metrics) is ~0.2 MB that a first certificate order does not need. Events are queued
 * until `attach` and then replayed in order; every Metrics event is a count, a value or a state
 * that means the same when recorded a little later.
 */
export class DeferredMetrics implements Metrics {
  private target: Metrics | undefined;
  private queued: ((m: Metrics) => void)[] = [];

  attach(target: Metrics): void {
    if (this.target) return;
    this.target = target;
    const queued = this.queued;
    this.queued = [];
    for (const event of queued) event(target);
  }

  private record(event: (m: Metrics) => void): void {
    if (this.target) event(this.target);
    else if (this.queued.length < MAX_QUEUED) this.queued.push(event);
  }

  requestServed(request: RequestServed): void {
    this.record((m) => m.requestServed(request));
  }
  searchServed(ms: number): void {
    this.record((m) => m.searchServed(ms));
  }
  indexBuilt(index: IndexFigures): void {
    this.record((m) => m.indexBuilt(index));
  }
  refreshed(ok: boolean): void {
    this.record((m) => m.refreshed(ok));
  }
  certificateInstalled(info: CertificateInfo, renewAt: Date): void {
    this.record((m) => m.certificateInstalled(info, renewAt));
  }
  orderAttempted(): void {
    this.record((m) => m.orderAttempted());
  }
  orderFailed(code: string): void {
    this.record((m) => m.orderFailed(code));
  }
}
