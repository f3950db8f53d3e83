import { inject, injectable } from 'tsyringe';
import {
  CERTIFICATE_EVENTS,
  type CertificateEvent,
  type CertificateEvents,
} from '../ports/certificate-events.js';
import { CERTIFICATE_INSTALLER, type CertificateInstaller } from '../ports/certificate-installer.js';
import { CLOCK, type Clock, type Timer } from '../ports/clock.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { METRICS, type Metrics, NO_METRICS } from '../ports/metrics.js';
import { RANDOM, type Random } from '../ports/random.js';
import type { CertificateInfo } from './certificate.js';
import { type ActiveCertificate, ObtainCertificate } from './obtain-certificate.js';
import { defaultRenewalTime } from './renewal-policy.js';

/** Re-check at least this often, so a changed clock or a long sleep of the host cannot skip a renewal. */
const CHECK_INTERVAL_MS = 10 * 60_000;
/** How often to re-ask for ARI when the CA gives no Retry-After, and the bounds on what it may say. */
const ARI_DEFAULT_RECHECK_MS = 6 * 3_600_000;
const ARI_MIN_RECHECK_MS = 60_000;
const ARI_MAX_RECHECK_MS = 24 * 3_600_000;

export interface RenewalStatus {
  readonly names: readonly string[];
  readonly issuer: string;
  readonly notAfter: string;
  readonly renewAt: string;
  readonly renewalSource: 'ari' | 'lifetime';
  readonly ariWindow?: { start: string; end: string };
  readonly renewing: boolean;
  readonly lastError?: string;
}

interface AriChoice {
  readonly ariId: string;
  readonly windowKey: string;
  readonly window: { start: Date; end: Date };
  readonly at: Date;
}

/**
 * Keeps the served certificate valid while the process runs. The moment to renew is a random
 * time inside the CA's ARI window (RFC 9773) when the CA offers one, re-asked when its Retry-After
 * says; otherwise when 1/3 of the lifetime is left (1/2 for short-lived certificates). The new
 * certificate is installed without a restart; a failed renewal keeps the old one in service while
 * ObtainCertificate retries with backoff.
 *
 * With replicas sharing a store (CertificateEvents), it also follows the store: when another
 * replica stored a newer certificate (an event says so, or the periodic look finds it) that one is
 * installed and the next renewal is planned from it; an operator's `renewal_requested` renews now.
 */
@injectable()
export class RenewalScheduler {
  private active: ActiveCertificate | undefined;
  private renewAt: Date | undefined;
  private ari: AriChoice | undefined;
  private nextAriCheck = 0;
  private timer: Timer | undefined;
  private renewing: Promise<ActiveCertificate> | undefined;
  private lastError: string | undefined;
  /** After a renewal gave up (a configuration problem), wait a check interval before the next try. */
  private retryNotBefore = 0;
  private readonly abort = new AbortController();
  private followTimer: Timer | undefined;
  private unwatch: Promise<() => Promise<void>> | undefined;

  constructor(
    @inject(ObtainCertificate) private readonly obtain: ObtainCertificate,
    @inject(CERTIFICATE_INSTALLER) private readonly installer: CertificateInstaller,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(RANDOM) private readonly random: Random = Math.random,
    @inject(METRICS) private readonly metrics: Metrics = NO_METRICS,
    @inject(CERTIFICATE_EVENTS, { isOptional: true }) private readonly events?: CertificateEvents,
  ) {}

  /** Starts watching `current`, which is already in service; the first check runs at once. */
  start(current: ActiveCertificate): Promise<void> {
    this.active = current;
    this.unwatch = this.events?.watch(this.obtain.name, (event) => this.onEvent(event));
    this.unwatch?.catch(() => undefined);
    this.armFollow();
    return this.tick();
  }

  private onEvent(event: CertificateEvent): void {
    if (this.abort.signal.aborted) return;
    if (event === 'stored') {
      void this.follow();
      return;
    }
    this.logger.info('renewal requested through the shared store', {});
    void this.renewNow().catch(() => undefined); // renew() logged why
  }

  /** The periodic look at the store, for an event this replica missed (it was away, Redis too). */
  private armFollow(): void {
    const every = this.obtain.followMs;
    if (every === undefined || this.abort.signal.aborted) return;
    this.followTimer = this.clock.setTimer(every, () => {
      void this.follow().finally(() => this.armFollow());
    });
  }

  /**
   * Installs the stored certificate when it is servable and newer than the one in service. Skipped
   * while this replica renews: its renewal ends by installing what was stored.
   */
  private async follow(): Promise<void> {
    if (this.renewing || this.abort.signal.aborted) return;
    let stored: ActiveCertificate | undefined;
    try {
      stored = (await this.obtain.stored()).active;
    } catch (e) {
      this.logger.warn('cannot look at the stored certificate; will look again', {
        error: (e as Error).message,
      });
      return;
    }
    const active = this.active;
    if (!stored || !active || this.renewing || this.abort.signal.aborted) return;
    if (!isNewer(stored.info, active.info)) return;
    this.installer.install(stored.cert);
    this.logger.info('certificate stored by another replica installed', {
      serial: stored.info.serialHex,
      notAfter: stored.info.notAfter.toISOString(),
    });
    this.active = stored;
    this.lastError = undefined;
    this.retryNotBefore = 0;
    this.nextAriCheck = 0;
    await this.tick();
  }

  status(): RenewalStatus | undefined {
    if (!this.active || !this.renewAt) return undefined;
    const { info } = this.active;
    const ari = this.ari?.ariId === info.ariId ? this.ari : undefined;
    return {
      names: info.names,
      issuer: info.issuer,
      notAfter: info.notAfter.toISOString(),
      renewAt: this.renewAt.toISOString(),
      renewalSource: ari ? 'ari' : 'lifetime',
      ariWindow: ari
        ? { start: ari.window.start.toISOString(), end: ari.window.end.toISOString() }
        : undefined,
      renewing: this.renewing !== undefined,
      lastError: this.lastError,
    };
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.followTimer?.cancel();
    this.abort.abort();
    const unwatch = await this.unwatch?.catch(() => undefined);
    this.unwatch = undefined;
    await unwatch?.().catch(() => undefined);
  }

  /** Renews now, whatever the window says (an operator's forced renewal, or a test). */
  async renewNow(): Promise<ActiveCertificate> {
    this.timer?.cancel();
    return this.renewing ?? this.renew();
  }

  private async tick(): Promise<void> {
    if (!this.active || this.abort.signal.aborted || this.renewing) return;
    this.timer?.cancel();
    const renewAt = await this.planRenewal(this.active);
    // The ARI request took a while: stop() or renewNow() may have come meanwhile.
    if (this.abort.signal.aborted || this.renewing) return;
    this.renewAt = renewAt;
    this.metrics.certificateInstalled(this.active.info, renewAt);
    const now = this.clock.now().getTime();
    const due = Math.max(renewAt.getTime(), this.retryNotBefore);
    if (due <= now) {
      void this.renew().catch(() => undefined);
      return;
    }
    let wait = Math.min(due - now, CHECK_INTERVAL_MS);
    if (this.nextAriCheck > now) wait = Math.min(wait, this.nextAriCheck - now);
    this.timer?.cancel(); // an overlapping tick may have armed one
    this.timer = this.clock.setTimer(wait, () => void this.tick());
  }

  /** When to renew: a random moment in the ARI window, kept until the window changes. */
  private async planRenewal(active: ActiveCertificate): Promise<Date> {
    const fallback = defaultRenewalTime(active.info);
    const ariId = active.info.ariId;
    const now = this.clock.now().getTime();
    const current = this.ari?.ariId === ariId ? this.ari : undefined;
    if (!ariId || now < this.nextAriCheck) return current?.at ?? fallback;
    try {
      const window = await this.obtain.renewalWindow(active.info);
      if (!window) {
        this.nextAriCheck = Number.POSITIVE_INFINITY; // the CA offers no ARI
        return fallback;
      }
      const recheck = window.retryAfterMs ?? ARI_DEFAULT_RECHECK_MS;
      this.nextAriCheck = now + Math.min(ARI_MAX_RECHECK_MS, Math.max(ARI_MIN_RECHECK_MS, recheck));
      const windowKey = `${window.start.toISOString()}/${window.end.toISOString()}`;
      if (current?.windowKey === windowKey) return current.at;
      const span = window.end.getTime() - window.start.getTime();
      const at = new Date(window.start.getTime() + Math.floor(this.random() * span));
      this.ari = { ariId, windowKey, window: { start: window.start, end: window.end }, at };
      this.logger.info('renewal planned from the CA (ARI)', {
        windowStart: window.start.toISOString(),
        windowEnd: window.end.toISOString(),
        renewAt: at.toISOString(),
        explanation: window.explanationUrl,
      });
      return at;
    } catch (e) {
      this.nextAriCheck = now + 3_600_000;
      this.logger.warn('could not get renewal information (ARI); using the lifetime rule', {
        error: (e as Error).message,
      });
      return current?.at ?? fallback;
    }
  }

  private renew(): Promise<ActiveCertificate> {
    const active = this.active;
    if (!active) return Promise.reject(new Error('RenewalScheduler.start() was not called'));
    this.logger.info('renewing certificate', {
      names: active.info.names,
      notAfter: active.info.notAfter.toISOString(),
    });
    this.renewing = this.obtain
      .issueWithRetry(this.abort.signal, active.info.ariId)
      .then((next) => {
        this.installer.install(next.cert);
        this.logger.info('renewed certificate installed', {
          serial: next.info.serialHex,
          notAfter: next.info.notAfter.toISOString(),
        });
        this.active = next;
        this.lastError = undefined;
        this.nextAriCheck = 0;
        return next;
      })
      .catch((e: Error) => {
        this.lastError = e.message;
        this.retryNotBefore = this.clock.now().getTime() + CHECK_INTERVAL_MS;
        if (!this.abort.signal.aborted) this.logger.error('renewal gave up', { error: e.message });
        throw e;
      })
      .finally(() => {
        this.renewing = undefined;
        void this.tick();
      });
    return this.renewing;
  }
}

/** Another certificate, issued no earlier and valid no shorter than the one in service. */
function isNewer(candidate: CertificateInfo, current: CertificateInfo): boolean {
  return (
    candidate.serialHex !== current.serialHex &&
    candidate.notBefore.getTime() >= current.notBefore.getTime() &&
    candidate.notAfter.getTime() >= current.notAfter.getTime()
  );
}
