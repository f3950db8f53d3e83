import { inject, injectable } from 'tsyringe';
import { ACME_CLIENT, type AcmeClient, type AcmeOrder, type RenewalWindow } from '../ports/acme-client.js';
import { CERT_STORE, type CertStore } from '../ports/cert-store.js';
import { CERTIFICATE_CRYPTO, type CertificateCrypto } from '../ports/certificate-crypto.js';
import { CERTIFICATE_EVENTS, type CertificateEvents } from '../ports/certificate-events.js';
import { CHALLENGE_RESPONDER, type ChallengeResponder } from '../ports/challenge-responder.js';
import { CLOCK, type Clock } from '../ports/clock.js';
import { LEASE_LOCK, type Lease, type LeaseLock } from '../ports/lease-lock.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { METRICS, type Metrics, NO_METRICS } from '../ports/metrics.js';
import { type CoordinationSettings, OBTAIN_SETTINGS, type ObtainSettings } from '../ports/settings.js';
import { TLS_ALPN_RESPONDER, type TlsAlpnResponder } from '../ports/tls-alpn-responder.js';
import { AcmeError, AcmeSettingError } from './acme-errors.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from './backoff.js';
import type { AccountRecord, CertificateInfo, CertificateProblem, StoredCertificate } from './certificate.js';
import { DEFAULT_COORDINATION } from './coordination.js';
import type { DomainName } from './domain-name.js';
import { DomainError, StaleFencingTokenError, StoreKeyError } from './errors.js';
import { assessCertificate, defaultRenewalTime, isServable, PROBLEM_TEXT } from './renewal-policy.js';

/** The order's lease ran out before its certificate was saved: another replica may be ordering. */
export class LeaseLostError extends DomainError {
  constructor() {
    super('store.lease_lost', 'the order lease ran out before the certificate was saved');
  }
}

export interface ActiveCertificate {
  readonly cert: StoredCertificate;
  readonly info: CertificateInfo;
}

export interface StoredState {
  readonly active?: ActiveCertificate;
  /** What could be read of the stored certificate, servable or not. */
  readonly info?: CertificateInfo;
  /** Why the stored certificate cannot be served as it is; undefined when it can. */
  readonly problem?: CertificateProblem;
  readonly renewAt?: Date;
}

/**
 * Gets a certificate for the configured domains: reuses the stored one when it is sound, otherwise
 * orders a new one over ACME (HTTP-01 or TLS-ALPN-01, as configured), retrying with backoff (Retry-After honoured) until it succeeds.
 */
@injectable()
export class ObtainCertificate {
  private readonly backoff: BackoffPolicy;

  constructor(
    @inject(ACME_CLIENT) private readonly acme: AcmeClient,
    @inject(CHALLENGE_RESPONDER, { isOptional: true })
    private readonly responder: ChallengeResponder | undefined,
    @inject(CERT_STORE) private readonly store: CertStore,
    @inject(CERTIFICATE_CRYPTO) private readonly crypto: CertificateCrypto,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(OBTAIN_SETTINGS) private readonly settings: ObtainSettings,
    @inject(TLS_ALPN_RESPONDER, { isOptional: true }) private readonly tlsAlpn?: TlsAlpnResponder,
    @inject(METRICS) private readonly metrics: Metrics = NO_METRICS,
    /** Replicas sharing a store: only the lease holder orders; the others wait for its result. */
    @inject(LEASE_LOCK, { isOptional: true }) private readonly lock?: LeaseLock,
    /** Tells the other replicas when a certificate was stored. */
    @inject(CERTIFICATE_EVENTS, { isOptional: true }) private readonly events?: CertificateEvents,
  ) {
    this.backoff = settings.backoff ?? DEFAULT_BACKOFF;
    this.coordination = settings.coordination ?? DEFAULT_COORDINATION;
  }

  private readonly coordination: CoordinationSettings;

  /** The name the certificate is stored under: its first domain. */
  get name(): DomainName {
    return this.settings.domains[0];
  }

  /**
   * With replicas (a shared store), how often a serving replica should compare the stored
   * certificate with its own, in case it missed an event; undefined for a lone replica.
   */
  get followMs(): number | undefined {
    return this.lock ? (this.coordination.followMs ?? DEFAULT_COORDINATION.followMs) : undefined;
  }

  /** The stored certificate and what, if anything, is wrong with it. Never contacts the CA. */
  async stored(renewAt?: (info: CertificateInfo) => Date | undefined): Promise<StoredState> {
    const cert = await this.store.load(this.name);
    if (!cert) return { problem: 'missing' };
    const info = this.crypto.inspect(cert);
    const due = info && (renewAt?.(info) ?? defaultRenewalTime(info));
    const problem = assessCertificate(info, this.settings.domains, this.clock.now(), due);
    if (!info) return { problem };
    return { active: isServable(problem) ? { cert, info } : undefined, info, problem, renewAt: due };
  }

  /**
   * A certificate that can be served now: the stored one if servable (even when its renewal is due:
   * the caller renews in the background), else a freshly issued one, retrying until it succeeds.
   */
  async ensure(signal?: AbortSignal): Promise<ActiveCertificate & { renewalDue: boolean; reused: boolean }> {
    const state = await this.stored();
    if (state.active) {
      this.logger.info('using stored certificate', {
        names: state.active.info.names,
        notAfter: state.active.info.notAfter.toISOString(),
        renewalDue: state.problem === 'renewal_due',
      });
      return { ...state.active, renewalDue: state.problem === 'renewal_due', reused: true };
    }
    this.logger.info('obtaining a certificate', {
      domains: this.settings.domains,
      reason: PROBLEM_TEXT[state.problem ?? 'missing'],
    });
    return { ...(await this.issueWithRetry(signal)), renewalDue: false, reused: false };
  }

  /**
   * Issues until one attempt succeeds. Configuration problems (terms not accepted, unknown profile,
   * EAB required) are thrown at once: retrying cannot fix them.
   */
  async issueWithRetry(signal?: AbortSignal, replaces?: string): Promise<ActiveCertificate> {
    return this.lock ? this.issueAsOneReplica(this.lock, signal, replaces) : this.retrying(signal, replaces);
  }

  /**
   * Replicas: whoever gets the lease orders (renewing it while the order runs); the others look
   * at the shared store until the certificate is there, or take the lease over when its holder
   * went away. When the lock cannot be reached (Redis down) this waits and tries again.
   */
  private async issueAsOneReplica(
    lock: LeaseLock,
    signal: AbortSignal | undefined,
    replaces: string | undefined,
  ): Promise<ActiveCertificate> {
    let saidWaiting = false;
    for (;;) {
      let lease: Lease | undefined;
      try {
        lease = await lock.tryAcquire(`order:${this.name}`, this.coordination.leaseMs);
      } catch (e) {
        this.logger.warn('cannot reach the order lock; will try again', { error: (e as Error).message });
      }
      if (lease) {
        try {
          // The previous holder may have saved the certificate just before letting go.
          const done = await this.issuedElsewhere(replaces);
          if (done) return done;
          this.logger.info('ordering for the replicas', { fence: lease.fencingToken });
          return await this.whileHolding(lease, () => this.retrying(signal, replaces, lease));
        } catch (e) {
          if (e instanceof StaleFencingTokenError) {
            // Paused past the lease between the lease check and the save: the store kept the
            // certificate of the replica that took over, which is the one to serve.
            this.logger.warn(
              'the store refused a save under a lease that ran out; using the certificate another replica saved',
              {
                code: e.code,
                // Not `…Token`: the logger redacts fields named so, and a fence is no secret.
                fence: e.fencingToken,
                highestFence: e.highest,
              },
            );
            const done = await this.issuedElsewhere(replaces).catch((err: unknown) => {
              if (err instanceof StoreKeyError) throw err;
              return undefined;
            });
            if (done) return done;
          } else if (e instanceof LeaseLostError) {
            this.logger.warn('the order lease ran out; looking again', {});
          } else throw e;
        } finally {
          await lease.release().catch(() => false);
        }
      } else {
        const done = await this.issuedElsewhere(replaces).catch((e: unknown) => {
          if (e instanceof StoreKeyError) throw e;
          return undefined; // the store is away for now: look again
        });
        if (done) {
          this.logger.info('another replica obtained the certificate', { serial: done.info.serialHex });
          return done;
        }
        if (!saidWaiting) this.logger.info('another replica is ordering; waiting for its certificate', {});
        saidWaiting = true;
      }
      await this.clock.sleep(this.coordination.pollMs, signal);
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    }
  }

  /**
   * The certificate in the store when it is the one an order would have produced: servable and
   * not due (a first order), or not the one being replaced (a renewal).
   */
  private async issuedElsewhere(replaces: string | undefined): Promise<ActiveCertificate | undefined> {
    const state = await this.stored();
    if (!state.active) return undefined;
    if (replaces !== undefined) return state.active.info.ariId !== replaces ? state.active : undefined;
    return state.problem === 'renewal_due' ? undefined : state.active;
  }

  /** Runs `work` renewing the lease every third of it; stops renewing once it is lost. */
  private async whileHolding<T>(lease: Lease, work: () => Promise<T>): Promise<T> {
    const done = new AbortController();
    const keep = (async () => {
      while (!done.signal.aborted) {
        await this.clock.sleep(this.coordination.leaseMs / 3, done.signal);
        if (done.signal.aborted) return;
        if (!(await lease.renew().catch(() => false))) {
          this.logger.warn('could not renew the order lease', { fence: lease.fencingToken });
          return;
        }
      }
    })();
    try {
      return await work();
    } finally {
      done.abort();
      await keep;
    }
  }

  private async retrying(signal?: AbortSignal, replaces?: string, lease?: Lease): Promise<ActiveCertificate> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.metrics.orderAttempted();
        return await this.issue(replaces, lease);
      } catch (e) {
        const acmeError = e instanceof AcmeError ? e : undefined;
        const fenced = e instanceof LeaseLostError || e instanceof StaleFencingTokenError;
        this.metrics.orderFailed(acmeError?.code ?? (fenced ? e.code : 'unexpected'));
        if (acmeError && !acmeError.retryable) throw acmeError;
        // The store's keys do not open: ordering again would hide that and burn the CA's limits.
        if (e instanceof StoreKeyError) throw e;
        // Another replica holds (or held) the lease: the caller looks at what it stored.
        if (fenced) throw e;
        const delay = retryDelay(attempt, this.backoff, acmeError?.retryAfterMs);
        const stored = await this.stored().catch(() => undefined);
        this.logger.warn('certificate order failed; will retry', {
          code: acmeError?.code ?? 'unexpected',
          problemType: acmeError?.problemType,
          detail: (e as Error).message,
          retryAfterMs: acmeError?.retryAfterMs,
          attempt: attempt + 1,
          nextTryAt: new Date(this.clock.now().getTime() + delay).toISOString(),
          currentCertificateExpires: stored?.active?.info.notAfter.toISOString(),
        });
        if (!acmeError) this.logger.error('unexpected error while ordering', { error: (e as Error).stack });
        await this.clock.sleep(delay, signal);
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      }
    }
  }

  /**
   * One ACME order from account to stored certificate. With replicas, `lease` is the order's:
   * the save is skipped when the lease can no longer be renewed (LeaseLostError), and carries the
   * lease's fencing token, so that the store refuses it (StaleFencingTokenError) when the lease
   * ran out between that check and the write and a later holder saved first.
   */
  async issue(replaces?: string, lease?: Lease): Promise<ActiveCertificate> {
    const started = this.clock.now().getTime();
    const { domains, directoryUrl } = this.settings;
    const directory = await this.acme.directory();
    if (this.settings.profile && !(this.settings.profile in directory.profiles)) {
      const offered = Object.keys(directory.profiles);
      throw new AcmeSettingError(
        'acme.config',
        'profile',
        `The CA does not offer the profile "${this.settings.profile}"; it offers: ${offered.length ? offered.join(', ') : 'no profiles'}`,
      );
    }
    if (directory.externalAccountRequired && !this.settings.eab) {
      throw new AcmeSettingError(
        'acme.eab_required',
        'eab',
        'The CA requires external account binding: give its key id and HMAC key',
      );
    }
    const stored = await this.store.loadAccount(directoryUrl);
    if (!stored?.url && !this.settings.acceptTos) {
      throw new AcmeSettingError(
        'acme.tos_required',
        'terms',
        `Creating an ACME account means agreeing to the CA's terms of service${directory.termsOfService ? ` (${directory.termsOfService})` : ''}`,
      );
    }
    let { account, saved } = await this.useAccount(stored);
    // The certificate's key is made while the order is placed.
    const newKey = this.crypto.newKey();
    newKey.catch(() => undefined); // awaited below

    let order: AcmeOrder;
    try {
      order = await this.placeOrder(directory.renewalInfo ? replaces : undefined);
    } catch (e) {
      // The CA forgot the stored account (e.g. a reset test CA): register the same key again.
      if (!(e instanceof AcmeError) || e.code !== 'acme.account_does_not_exist' || !account.url) throw e;
      this.logger.warn('the CA no longer knows the stored account; registering again', {
        account: account.url,
      });
      await saved;
      ({ account, saved } = await this.useAccount({ keyPem: account.keyPem }));
      order = await this.placeOrder(directory.renewalInfo ? replaces : undefined);
    }
    const keyPem = await newKey;
    const certPem = await this.authorizeAndFinalize(order, keyPem, saved);
    const cert = { certPem, keyPem };
    const info = this.crypto.inspect(cert);
    if (
      !info?.keyMatches ||
      assessCertificate(info, domains, this.clock.now(), info.notAfter) === 'names_missing'
    ) {
      throw new AcmeError(
        'acme.bad_certificate',
        'The CA returned a certificate that does not match the order',
      );
    }
    if (lease && !(await lease.renew().catch(() => false))) throw new LeaseLostError();
    await this.store.save(this.name, cert, lease?.fencingToken);
    this.logger.info('certificate issued', {
      names: info.names,
      notAfter: info.notAfter.toISOString(),
      serial: info.serialHex,
      ms: this.clock.now().getTime() - started,
    });
    // The other replicas load it now rather than at their next look at the store.
    await this.events?.announce(this.name, 'stored').catch((e: Error) =>
      this.logger.warn('could not tell the other replicas about the new certificate', {
        error: e.message,
      }),
    );
    return { cert, info };
  }

  /**
   * The account to order with. A new or changed account is saved while the order and its
   * authorizations go on (`saved`); the order is finalized only once that save succeeded, so no
   * certificate is issued to an account the store does not hold.
   */
  private async useAccount(
    stored: AccountRecord | undefined,
  ): Promise<{ account: AccountRecord; saved: Promise<void> }> {
    const account = await this.acme.useAccount({
      stored,
      newKeyPem: () => this.crypto.newKey(),
      email: this.settings.email,
      termsOfServiceAgreed: this.settings.acceptTos,
      eab: this.settings.eab,
    });
    const saved =
      account.url !== stored?.url || account.keyPem !== stored?.keyPem
        ? this.store.saveAccount(this.settings.directoryUrl, account)
        : Promise.resolve();
    saved.catch(() => undefined); // awaited before the order is finalized
    return { account, saved };
  }

  /**
   * The CA's ARI window for a certificate, or undefined when the CA offers no ARI or the
   * certificate has no ARI id.
   */
  async renewalWindow(info: CertificateInfo): Promise<RenewalWindow | undefined> {
    if (!info.ariId) return undefined;
    const directory = await this.acme.directory();
    if (!directory.renewalInfo) return undefined;
    return this.acme.renewalInfo(info.ariId);
  }

  /**
   * `replaces` (RFC 9773) exempts a renewal from rate limits; a CA that rejects it (already
   * replaced, or malformed: an unknown certificate) gets the same order once more without it.
   * Any other failure (a 5xx, a bad nonce, a lost account) keeps `replaces` for the retry.
   */
  private async placeOrder(replaces: string | undefined): Promise<AcmeOrder> {
    const { domains, profile } = this.settings;
    try {
      return await this.acme.newOrder({ domains, profile, replaces });
    } catch (e) {
      const rejectsReplaces =
        e instanceof AcmeError && (e.code === 'acme.already_replaced' || e.code === 'acme.malformed');
      if (!replaces || !rejectsReplaces) throw e;
      this.logger.warn('the CA rejected "replaces"; ordering without it', {
        code: e.code,
        detail: e.message,
      });
      return this.acme.newOrder({ domains, profile });
    }
  }

  private async authorizeAndFinalize(
    order: AcmeOrder,
    keyPem: string,
    accountSaved: Promise<void>,
  ): Promise<string> {
    const cleanup: (() => Promise<void>)[] = [];
    const preferred = this.settings.challenges;
    // Made while the CA validates; awaited (and its failure reported) only once they all succeeded.
    const csr = this.crypto.createCsr(this.settings.domains, keyPem);
    csr.catch(() => undefined);
    try {
      // allSettled, not all: an authorization that fails must not start the cleanup while others
      // are still presenting answers (theirs would stay installed).
      const outcomes = await Promise.allSettled(
        order.authorizations
          .filter((a) => a.status !== 'valid')
          .map(async (authz) => {
            const challenge = preferred
              .map((type) => authz.challenges.find((c) => c.type === type))
              .find((c) => c !== undefined);
            if (!challenge) {
              throw new AcmeSettingError(
                'acme.config',
                'challenges',
                `The CA offers none of the challenge types ${preferred.join(', ')} for ${authz.domain}`,
              );
            }
            if (challenge.type === 'tls-alpn-01') {
              if (!this.tlsAlpn)
                throw new AcmeSettingError('acme.config', 'challenges', 'TLS-ALPN-01 has no responder');
              const responder = this.tlsAlpn;
              cleanup.push(() => responder.remove(authz.domain));
              await responder.present(authz.domain, challenge.keyAuthorization);
            } else {
              if (!this.responder)
                throw new AcmeSettingError('acme.config', 'challenges', 'HTTP-01 has no responder');
              const responder = this.responder;
              cleanup.push(() => responder.remove(challenge.token));
              await responder.present(challenge.token, challenge.keyAuthorization);
            }
            await this.acme.acceptChallenge(challenge);
            await this.acme.waitForAuthorization(authz);
          }),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
      await accountSaved;
      return await this.acme.finalize(order, await csr);
    } finally {
      const removed = await Promise.allSettled(cleanup.map((fn) => fn()));
      for (const r of removed)
        if (r.status === 'rejected')
          this.logger.warn('could not remove a challenge answer', {
            error: String(r.reason?.message ?? r.reason),
          });
    }
  }
}
