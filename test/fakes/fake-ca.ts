import { AcmeError } from '../../src/domain/acme-errors.js';
import type { AccountRecord } from '../../src/domain/certificate.js';
import type {
  AccountRequest,
  AcmeAuthorization,
  AcmeClient,
  AcmeDirectoryInfo,
  AcmeOrder,
  RenewalWindow,
} from '../../src/ports/acme-client.js';
import type { Clock } from '../../src/ports/clock.js';
import { fakeCertPem } from './fake-certificate-crypto.js';
import type { InMemoryChallengeResponder } from './in-memory-challenge-responder.js';
import type { InMemoryTlsAlpnResponder } from './in-memory-tls-alpn-responder.js';

const DAY = 86_400_000;

interface OrderRecord {
  domains: readonly string[];
  profile?: string;
  replaces?: string;
}

/**
 * An ACME CA in memory. It validates challenges by asking the in-memory responder, issues
 * FAKE-CERTs that FakeCertificateCrypto can read, and fails on request:
 * `failNextChallenge()`, `rateLimitNext(ms)`, `unreachableNext()`, `rejectReplacesNext()`.
 */
export class FakeCa implements AcmeClient {
  lifetimeMs = 90 * DAY;
  profiles: Record<string, string> = {};
  externalAccountRequired = false;
  termsOfService = 'https://ca.example/terms';
  renewalInfoUrl?: string;

  readonly orders: OrderRecord[] = [];
  readonly accountRequests: AccountRequest[] = [];
  registrations = 0;
  calls = 0;
  private serial = 0;
  private account: AccountRecord | undefined;
  private failures: (() => AcmeError)[] = [];
  private challengeFailures = 0;
  private replacesRejections = 0;
  private readonly pendingOrders = new Map<string, OrderRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly responder: InMemoryChallengeResponder,
    private readonly tlsAlpn?: InMemoryTlsAlpnResponder,
  ) {}

  /** Which challenge types new orders offer. */
  offered: ('http-01' | 'tls-alpn-01')[] = ['http-01'];
  /** Types the CA validated, in order. */
  readonly validated: string[] = [];

  failNextChallenge(times = 1): void {
    this.challengeFailures += times;
  }

  rateLimitNext(retryAfterMs: number): void {
    this.failures.push(
      () =>
        new AcmeError(
          'acme.rate_limited',
          'too many certificates already issued',
          'urn:ietf:params:acme:error:rateLimited',
          429,
          retryAfterMs,
        ),
    );
  }

  unreachableNext(times = 1): void {
    for (let i = 0; i < times; i++) {
      this.failures.push(() => new AcmeError('acme.unreachable', 'connect ECONNREFUSED 127.0.0.1:14000'));
    }
  }

  /** The CA loses its account records (a reset test CA). */
  forgetAccounts(): void {
    this.forgotten = true;
  }
  private forgotten = false;

  rejectReplacesNext(): void {
    this.replacesRejections++;
  }

  /** The next newOrder fails with this error (after it was recorded in `orders`). */
  failNextOrder(error: AcmeError): void {
    this.orderFailures.push(error);
  }
  private readonly orderFailures: AcmeError[] = [];

  private maybeFail(): void {
    this.calls++;
    const next = this.failures.shift();
    if (next) throw next();
  }

  async directory(): Promise<AcmeDirectoryInfo> {
    this.maybeFail();
    return {
      termsOfService: this.termsOfService,
      profiles: this.profiles,
      externalAccountRequired: this.externalAccountRequired,
      renewalInfo: this.renewalInfoUrl,
    };
  }

  async useAccount(req: AccountRequest): Promise<AccountRecord> {
    this.calls++;
    this.accountRequests.push(req);
    if (this.externalAccountRequired && !req.eab) {
      throw new AcmeError(
        'acme.eab_required',
        'EAB required',
        'urn:ietf:params:acme:error:externalAccountRequired',
      );
    }
    if (req.stored?.url) {
      this.account = req.stored;
      return req.stored;
    }
    this.forgotten = false;
    this.registrations++;
    const keyPem = req.stored?.keyPem ?? (await req.newKeyPem());
    this.account = { keyPem, url: `https://ca.example/acct/${this.registrations}` };
    return this.account;
  }

  async newOrder(req: {
    domains: readonly string[];
    profile?: string;
    replaces?: string;
  }): Promise<AcmeOrder> {
    this.maybeFail();
    if (!this.account) throw new Error('newOrder before useAccount');
    if (this.forgotten) {
      throw new AcmeError(
        'acme.account_does_not_exist',
        'account not found',
        'urn:ietf:params:acme:error:accountDoesNotExist',
        400,
      );
    }
    this.orders.push({ ...req });
    const failure = this.orderFailures.shift();
    if (failure) throw failure;
    if (req.replaces && this.replacesRejections > 0) {
      this.replacesRejections--;
      throw new AcmeError(
        'acme.already_replaced',
        'certificate already replaced',
        'urn:ietf:params:acme:error:alreadyReplaced',
        409,
      );
    }
    const url = `https://ca.example/order/${this.orders.length}`;
    this.pendingOrders.set(url, req);
    const authorizations: AcmeAuthorization[] = req.domains.map((domain, i) => ({
      url: `${url}/authz/${i}`,
      domain,
      status: 'pending',
      challenges: this.offered.map((type) => ({
        type,
        url: `${url}/chall/${i}/${type}`,
        token: `token-${this.orders.length}-${i}`,
        keyAuthorization: `token-${this.orders.length}-${i}.thumbprint`,
      })),
    }));
    return { url, authorizations };
  }

  private accepted = new Map<string, string>();

  async acceptChallenge(challenge: { type: string; url: string }): Promise<void> {
    this.maybeFail();
    this.accepted.set(challenge.url.replace(/\/[^/]+$/, ''), challenge.type);
  }

  async waitForAuthorization(authz: AcmeAuthorization): Promise<void> {
    this.calls++;
    const type = this.accepted.get(authz.url.replace('/authz/', '/chall/')) ?? 'http-01';
    const challenge = authz.challenges.find((c) => c.type === type);
    if (!challenge) throw new Error('no challenge');
    this.validated.push(type);
    if (this.challengeFailures > 0) {
      this.challengeFailures--;
      throw new AcmeError(
        'acme.challenge_failed',
        `${authz.domain}: connection refused`,
        'urn:ietf:params:acme:error:connection',
      );
    }
    const answer =
      type === 'tls-alpn-01'
        ? this.tlsAlpn?.answer(authz.domain)
        : await this.responder.answer(challenge.token);
    if (answer !== challenge.keyAuthorization) {
      throw new AcmeError(
        'acme.challenge_failed',
        `${authz.domain}: wrong key authorization`,
        'urn:ietf:params:acme:error:incorrectResponse',
      );
    }
  }

  async finalize(order: AcmeOrder, csrPem: string): Promise<string> {
    this.maybeFail();
    const req = this.pendingOrders.get(order.url);
    if (!req) throw new Error('unknown order');
    this.pendingOrders.delete(order.url);
    const csr = JSON.parse(csrPem.slice('FAKE-CSR '.length)) as { domains: string[]; key: string };
    const now = this.clock.now().getTime();
    this.serial++;
    return fakeCertPem({
      names: csr.domains,
      notBefore: new Date(now).toISOString(),
      notAfter: new Date(now + this.lifetimeMs).toISOString(),
      serial: this.serial.toString(16).padStart(2, '0'),
      key: csr.key,
      issuer: 'Fake CA',
      ariId: `aki.${this.serial}`,
    });
  }

  /** ARI windows by certificate id; `setWindow` moves one (e.g. a revocation brings it forward). */
  readonly windows = new Map<string, RenewalWindow>();
  ariRequests = 0;

  setWindow(ariId: string, start: Date, end: Date, retryAfterMs?: number): void {
    this.windows.set(ariId, { start, end, retryAfterMs });
  }

  async renewalInfo(ariId: string): Promise<RenewalWindow> {
    this.maybeFail();
    this.ariRequests++;
    const w = this.windows.get(ariId);
    if (!w) throw new AcmeError('acme.malformed', `no renewal info for ${ariId}`, undefined, 404);
    return w;
  }

  /** A certificate issued now (or at `at`) for `names`, bound to `key`: for tests that pre-seed a store. */
  issueDirect(names: string[], key: string, opts: { at?: Date; lifetimeMs?: number } = {}): string {
    const start = (opts.at ?? this.clock.now()).getTime();
    this.serial++;
    return fakeCertPem({
      names,
      notBefore: new Date(start).toISOString(),
      notAfter: new Date(start + (opts.lifetimeMs ?? this.lifetimeMs)).toISOString(),
      serial: this.serial.toString(16).padStart(2, '0'),
      key,
      issuer: 'Fake CA',
      ariId: `aki.${this.serial}`,
    });
  }
}
