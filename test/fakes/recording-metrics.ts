import type { CertificateInfo } from '../../src/domain/certificate.js';
import type { IndexFigures, Metrics, RequestServed } from '../../src/ports/metrics.js';

/** Remembers every event, so a use-case's test can say what it recorded. */
export class RecordingMetrics implements Metrics {
  readonly requests: RequestServed[] = [];
  readonly searches: number[] = [];
  readonly indexes: IndexFigures[] = [];
  readonly refreshes: boolean[] = [];
  readonly certificates: { info: CertificateInfo; renewAt: Date }[] = [];
  orders = 0;
  readonly orderFailures: string[] = [];

  requestServed(request: RequestServed): void {
    this.requests.push(request);
  }

  searchServed(ms: number): void {
    this.searches.push(ms);
  }

  indexBuilt(index: IndexFigures): void {
    this.indexes.push(index);
  }

  refreshed(ok: boolean): void {
    this.refreshes.push(ok);
  }

  certificateInstalled(info: CertificateInfo, renewAt: Date): void {
    this.certificates.push({ info, renewAt });
  }

  orderAttempted(): void {
    this.orders++;
  }

  orderFailed(code: string): void {
    this.orderFailures.push(code);
  }

  /** The certificate last reported in service, with its planned renewal. */
  get inService(): { info: CertificateInfo; renewAt: Date } | undefined {
    return this.certificates.at(-1);
  }
}
