import { inject, injectable } from 'tsyringe';
import { CERTIFICATE_INSTALLER, type CertificateInstaller } from '../ports/certificate-installer.js';
import { CLOCK, type Clock, type Timer } from '../ports/clock.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import type { CertificateInfo } from './certificate.js';
import { type ActiveCertificate, ObtainCertificate } from './obtain-certificate.js';
import { defaultRenewalTime } from './renewal-policy.js';

/** Re-check at least this often, so a changed clock or a long sleep of the host cannot skip a renewal. */
export const CHECK_INTERVAL_MS = 10 * 60_000;

export interface RenewalStatus {
  readonly names: readonly string[];
  readonly notAfter: string;
  readonly renewAt: string;
  readonly renewing: boolean;
  readonly lastError?: string;
}

/**
 * Keeps the served certificate valid while the process runs: renews when it enters its window
 * (1/3 of the lifetime left, 1/2 for short-lived ones), installs the new one without a restart,
 * and on failure keeps the old one in service while ObtainCertificate retries with backoff.
 */
@injectable()
export class RenewalScheduler {
  private active: ActiveCertificate | undefined;
  private renewAt: Date | undefined;
  private timer: Timer | undefined;
  private renewing = false;
  private lastError: string | undefined;
  /** After a renewal gave up (a configuration problem), wait a check interval before the next try. */
  private retryNotBefore = 0;
  private readonly abort = new AbortController();

  constructor(
    @inject(ObtainCertificate) private readonly obtain: ObtainCertificate,
    @inject(CERTIFICATE_INSTALLER) private readonly installer: CertificateInstaller,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts watching `current`, which is already in service. */
  start(current: ActiveCertificate): void {
    this.active = current;
    this.schedule();
  }

  status(): RenewalStatus | undefined {
    if (!this.active || !this.renewAt) return undefined;
    return {
      names: this.active.info.names,
      notAfter: this.active.info.notAfter.toISOString(),
      renewAt: this.renewAt.toISOString(),
      renewing: this.renewing,
      lastError: this.lastError,
    };
  }

  stop(): void {
    this.timer?.cancel();
    this.abort.abort();
  }

  /** Renews now, whatever the window says (operator's `--force`, or a test). */
  async renewNow(): Promise<ActiveCertificate> {
    this.timer?.cancel();
    return this.renew();
  }

  private renewalTime(info: CertificateInfo): Date {
    return defaultRenewalTime(info);
  }

  private schedule(): void {
    if (!this.active || this.abort.signal.aborted) return;
    this.renewAt = this.renewalTime(this.active.info);
    const wait = Math.max(this.renewAt.getTime(), this.retryNotBefore) - this.clock.now().getTime();
    this.timer?.cancel();
    if (wait <= 0) {
      void this.renew().catch(() => undefined);
      return;
    }
    this.timer = this.clock.setTimer(Math.min(wait, CHECK_INTERVAL_MS), () => this.schedule());
  }

  private async renew(): Promise<ActiveCertificate> {
    if (!this.active) throw new Error('RenewalScheduler.start() was not called');
    this.renewing = true;
    this.logger.info('renewing certificate', {
      names: this.active.info.names,
      notAfter: this.active.info.notAfter.toISOString(),
    });
    try {
      const next = await this.obtain.issueWithRetry(this.abort.signal, this.active.info.ariId);
      this.installer.install(next.cert);
      this.logger.info('renewed certificate installed', {
        serial: next.info.serialHex,
        notAfter: next.info.notAfter.toISOString(),
      });
      this.active = next;
      this.lastError = undefined;
      return next;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.retryNotBefore = this.clock.now().getTime() + CHECK_INTERVAL_MS;
      if (!this.abort.signal.aborted) this.logger.error('renewal gave up', { error: this.lastError });
      throw e;
    } finally {
      this.renewing = false;
      this.schedule();
    }
  }
}
