import type { Agent } from 'node:https';
import { AcmeError } from '../../domain/acme-errors.js';
import type { AccountRecord } from '../../domain/certificate.js';
import type {
  AccountRequest,
  AcmeAuthorization,
  AcmeChallenge,
  AcmeClient,
  AcmeDirectoryInfo,
  AcmeOrder,
  RenewalWindow,
} from '../../ports/acme-client.js';
import type { Clock } from '../../ports/clock.js';
import { type Lib, loadAcmeLib } from './load-acme-lib.js';
import { type CallRecord, calls, installProblemCapture, parseRetryAfter } from './problem-capture.js';

type LibClient = InstanceType<Lib['Client']>;
type LibOrder = Awaited<ReturnType<LibClient['createOrder']>>;
interface ApiResponse {
  status: number;
  headers: Record<string, string | undefined>;
  data: Record<string, unknown>;
}
interface LibHttp {
  maxBadNonceRetries: number;
  directoryCache: unknown;
  directoryTimestamp: number;
  request(url: string, method: string, opts?: object): Promise<ApiResponse>;
  getNonce(): Promise<string>;
}
interface LibInternals {
  api: { apiRequest(url: string, payload: unknown, valid: number[]): Promise<ApiResponse> };
  http: LibHttp;
}

const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';

/**
 * acme-client asks the CA for a fresh nonce (HEAD newNonce) before every signed request, though
 * each answer carries the next one (RFC 8555 §7.2: a client may use the Replay-Nonce of any
 * response): a round trip saved per request. Each nonce is used at most once; a badNonce answer's
 * nonce is left to acme-client's own retry, and a CA that refuses a kept nonce gets that retry too.
 */
function reuseReplayNonces(http: LibHttp): void {
  let spare: string | undefined;
  const request = http.request.bind(http);
  const fetchNonce = http.getNonce.bind(http);
  http.request = async (url, method, opts) => {
    const res = await request(url, method, opts);
    const nonce = res.headers['replay-nonce'];
    const badNonce = res.status === 400 && (res.data as { type?: unknown } | undefined)?.type === BAD_NONCE;
    // A HEAD is getNonce's own request: its nonce is the one getNonce returns.
    if (method !== 'head' && !badNonce && typeof nonce === 'string') spare = nonce;
    return res;
  };
  http.getNonce = () => {
    const nonce = spare;
    spare = undefined;
    return nonce ? Promise.resolve(nonce) : fetchNonce();
  };
}

/**
 * acme-client retries a badNonce 5 times per request: with a CA shedding half its nonces (Pebble's
 * nonceReject 50) about 1 issuance in 6 failed. A retry is safe, the CA did nothing (RFC 8555 §6.5).
 */
const BAD_NONCE_RETRIES = 15;

export interface AcmeClientAdapterOptions {
  readonly directoryUrl: string;
  /** Extra CA to trust for the directory (tests); production uses NODE_EXTRA_CA_CERTS. */
  readonly httpsAgent?: Agent;
  /** Give up waiting for one authorization or order after this long. */
  readonly pollTimeoutMs?: number;
}

/**
 * Poll tightly early, then back off: a CA next door (Pebble, a local step-ca) validates within a few
 * ms, Let's Encrypt within a second or two; a CA's Retry-After can only lengthen this. One poll is
 * one signed POST-as-GET, so the tight start costs a handful of small requests at most.
 */
const POLL_STEPS_MS = [0, 5, 10, 20, 40, 80, 160, 320, 640, 1000];
const MAX_POLL_RETRY_AFTER_MS = 10_000;

let libPromise: Promise<Lib> | undefined;

/** acme-client costs ~0.2 s to load: only an order that needs it pays. */
function loadLib(): Promise<Lib> {
  libPromise ??= loadAcmeLib().then((lib) => {
    const settings = (lib.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } })
      .acmeSettings;
    // Retries (with Retry-After) are the domain's job; acme-client's own would wait hours unseen.
    settings.retryMaxAttempts = 0;
    installProblemCapture(lib.axios as never);
    return lib;
  });
  return libPromise;
}

/**
 * AcmeClient over acme-client 5.4: its JWS signing, nonces and badNonce retry, plus what it lacks:
 * problem types and Retry-After kept (AcmeError), prompt polling, `profile` / `replaces` in orders.
 */
export class AcmeClientAdapter implements AcmeClient {
  private client: LibClient | undefined;
  private dir: AcmeDirectoryInfo | undefined;
  /** The directory as the CA sent it: the client gets it too, rather than reading it again. */
  private dirData: unknown;
  private readonly orders = new Map<string, LibOrder>();

  constructor(
    private readonly options: AcmeClientAdapterOptions,
    private readonly clock: Clock,
  ) {}

  async directory(): Promise<AcmeDirectoryInfo> {
    if (this.dir) return this.dir;
    const lib = await loadLib();
    const res = await this.call('reading the ACME directory', () => lib.axios.get(this.options.directoryUrl));
    const data = res.data as { meta?: Record<string, unknown>; renewalInfo?: string; newOrder?: string };
    if (!data || typeof data.newOrder !== 'string') {
      throw new AcmeError(
        'acme.config',
        `${this.options.directoryUrl} is not an ACME directory (no newOrder)`,
      );
    }
    const meta = data.meta ?? {};
    this.dirData = data;
    this.dir = {
      termsOfService: typeof meta.termsOfService === 'string' ? meta.termsOfService : undefined,
      profiles: (typeof meta.profiles === 'object' && meta.profiles ? meta.profiles : {}) as Record<
        string,
        string
      >,
      externalAccountRequired: meta.externalAccountRequired === true,
      renewalInfo: typeof data.renewalInfo === 'string' ? data.renewalInfo : undefined,
    };
    return this.dir;
  }

  async useAccount(req: AccountRequest): Promise<AccountRecord> {
    const lib = await loadLib();
    const keyPem = req.stored?.keyPem ?? (await req.newKeyPem());
    const client = new lib.Client({
      directoryUrl: this.options.directoryUrl,
      accountKey: keyPem,
      accountUrl: req.stored?.url,
      externalAccountBinding: req.eab,
    });
    const http = (client as unknown as LibInternals).http;
    http.maxBadNonceRetries = BAD_NONCE_RETRIES;
    if (this.dirData) {
      http.directoryCache = this.dirData;
      http.directoryTimestamp = Math.floor(Date.now() / 1000);
    }
    reuseReplayNonces(http);
    if (!req.stored?.url) {
      await this.call('registering the ACME account', () =>
        client.createAccount({
          termsOfServiceAgreed: req.termsOfServiceAgreed,
          contact: req.email ? [`mailto:${req.email}`] : undefined,
        }),
      );
    }
    this.client = client;
    return { keyPem, url: client.getAccountUrl() };
  }

  async newOrder(req: {
    domains: readonly string[];
    profile?: string;
    replaces?: string;
  }): Promise<AcmeOrder> {
    const client = this.requireClient();
    const payload: Record<string, unknown> = {
      identifiers: req.domains.map((value) => ({ type: 'dns', value })),
    };
    if (req.profile) payload.profile = req.profile;
    if (req.replaces) payload.replaces = req.replaces;
    const order = await this.call('creating the order', () => client.createOrder(payload as never));
    this.orders.set(order.url, order);
    const authzs = await this.call('reading authorizations', () => client.getAuthorizations(order));
    const authorizations: AcmeAuthorization[] = [];
    for (const a of authzs) {
      const challenges: AcmeChallenge[] = [];
      for (const c of a.challenges) {
        const type = c.type as string;
        if (type !== 'http-01' && type !== 'tls-alpn-01') continue;
        const keyAuthorization = await client.getChallengeKeyAuthorization(c);
        challenges.push({ type, url: c.url, token: (c as { token: string }).token, keyAuthorization });
      }
      authorizations.push({ url: a.url, domain: a.identifier.value, status: a.status, challenges });
    }
    return { url: order.url, authorizations };
  }

  async acceptChallenge(challenge: AcmeChallenge): Promise<void> {
    const client = this.requireClient();
    await this.call('accepting the challenge', () =>
      client.completeChallenge({ url: challenge.url } as never),
    );
  }

  async waitForAuthorization(authz: AcmeAuthorization): Promise<void> {
    const data = await this.poll(authz.url, 'valid', `authorization of ${authz.domain}`);
    if (data.status === 'valid') return;
    const failed = (data.challenges as { error?: { type?: string; detail?: string } }[] | undefined)?.find(
      (c) => c.error,
    );
    const problem = failed?.error ?? { type: 'urn:ietf:params:acme:error:unauthorized' };
    const err = AcmeError.fromProblem({
      type: problem.type,
      detail: `${authz.domain}: ${problem.detail ?? 'the challenge failed'}`,
    });
    throw err.code.startsWith('acme.challenge_failed')
      ? err
      : new AcmeError('acme.challenge_failed', err.message, err.problemType);
  }

  async finalize(order: AcmeOrder, csrPem: string): Promise<string> {
    const client = this.requireClient();
    const libOrder = this.orders.get(order.url);
    if (!libOrder) throw new Error(`unknown order ${order.url}`);
    const finalized = await this.call('finalizing the order', () => client.finalizeOrder(libOrder, csrPem));
    let current = finalized;
    if (finalized.status !== 'valid') {
      const data = await this.poll(order.url, 'valid', 'order');
      if (data.status !== 'valid') {
        const err = data.error as { type?: string; detail?: string } | undefined;
        throw AcmeError.fromProblem({
          type: err?.type,
          detail: err?.detail ?? `order became ${String(data.status)}`,
        });
      }
      current = { ...finalized, ...(data as object), url: order.url } as LibOrder;
    }
    const pem = await this.call('downloading the certificate', () => client.getCertificate(current));
    this.orders.delete(order.url);
    return pem;
  }

  /** ARI (RFC 9773): an unauthenticated GET of `{renewalInfo}/{certId}`; acme-client 5.4 has no call for it. */
  async renewalInfo(ariId: string): Promise<RenewalWindow> {
    const dir = await this.directory();
    if (!dir.renewalInfo)
      throw new AcmeError('acme.config', 'The CA does not offer renewal information (ARI)');
    const lib = await loadLib();
    const url = `${dir.renewalInfo.replace(/\/+$/, '')}/${ariId}`;
    const res = await this.call('asking for renewal information', () => lib.axios.get(url));
    const window = (res.data as { suggestedWindow?: { start?: string; end?: string } }).suggestedWindow;
    const start = new Date(window?.start ?? Number.NaN);
    const end = new Date(window?.end ?? Number.NaN);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) {
      throw new AcmeError(
        'acme.malformed',
        `The CA's renewal information for ${ariId} has no valid suggestedWindow`,
      );
    }
    return {
      start,
      end,
      retryAfterMs: parseRetryAfter(res.headers['retry-after'] as string | undefined),
      explanationUrl: (res.data as { explanationURL?: string }).explanationURL,
    };
  }

  /** Polls a resource until it reaches `target` or `invalid`; Retry-After (RFC 8555 §8.2) is honoured. */
  private async poll(url: string, target: string, what: string): Promise<Record<string, unknown>> {
    const api = (this.requireClient() as unknown as LibInternals).api;
    const deadline = this.clock.now().getTime() + (this.options.pollTimeoutMs ?? 60_000);
    for (let i = 0; ; i++) {
      const res = await this.call(`polling the ${what}`, () => api.apiRequest(url, null, [200]));
      const status = res.data.status;
      if (status === target || status === 'invalid') return res.data;
      const step = POLL_STEPS_MS[Math.min(i + 1, POLL_STEPS_MS.length - 1)] as number;
      const asked = parseRetryAfter(res.headers['retry-after']);
      const wait = asked !== undefined ? Math.min(Math.max(step, asked), MAX_POLL_RETRY_AFTER_MS) : step;
      if (this.clock.now().getTime() + wait > deadline) {
        throw new AcmeError('acme.timeout', `The CA left the ${what} "${String(status)}" for too long`);
      }
      await this.clock.sleep(wait);
    }
  }

  private requireClient(): LibClient {
    if (!this.client) throw new Error('useAccount() must be called first');
    return this.client;
  }

  /** Runs one acme-client call, turning its bare errors into AcmeErrors with the problem details. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    // Per call, not on acme-client's shared axios: two adapters may trust different CAs.
    const record: CallRecord = { httpsAgent: this.options.httpsAgent };
    try {
      return await calls.run(record, fn);
    } catch (e) {
      if (e instanceof AcmeError) throw e;
      if (record.problem) {
        const p = record.problem;
        throw AcmeError.fromProblem({ ...p, detail: `${what}: ${p.detail ?? (e as Error).message}` });
      }
      const where = record.url ?? this.options.directoryUrl;
      throw new AcmeError(
        'acme.unreachable',
        `${what}: no usable answer from ${where} (${record.networkError ?? (e as Error).message})`,
      );
    }
  }
}
