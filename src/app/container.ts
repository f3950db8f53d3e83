import type * as tsyringeModule from 'tsyringe';
import type { DependencyContainer, FactoryFunction } from 'tsyringe';
import type * as acmeClientAdapterModule from '../adapters/acme-client/acme-client-adapter.js';
import { loadAcmeLib } from '../adapters/acme-client/load-acme-lib.js';
import { warmConnection } from '../adapters/acme-client/warm-connection.js';
import { readStoredCertificateSync } from '../adapters/filesystem/cert-files.js';
import type * as fsCertStoreModule from '../adapters/filesystem/fs-cert-store.js';
import type * as fsIndexStoreModule from '../adapters/filesystem/fs-index-store.js';
import type * as fsMarkdownDocSourceModule from '../adapters/filesystem/fs-markdown-doc-source.js';
import type { HealthFields } from '../adapters/hono/docs-http-app.js';
import type * as honoChallengeResponderModule from '../adapters/hono/hono-challenge-responder.js';
import type * as httpMcpTransportModule from '../adapters/hono/http-mcp-transport.js';
import type * as metricsListenerModule from '../adapters/hono/metrics-listener.js';
import { listenNode, type NodeListener } from '../adapters/hono/node-listener.js';
import type * as hugoIndexDocSourceModule from '../adapters/hugo-index/hugo-index-doc-source.js';
import type * as markedSectionSplitterModule from '../adapters/marked/marked-section-splitter.js';
import type * as stdioMcpTransportModule from '../adapters/mcp-sdk/stdio-mcp-transport.js';
import type * as inMemoryCertificateEventsModule from '../adapters/memory/in-memory-certificate-events.js';
import type * as inMemoryChallengeAnswersModule from '../adapters/memory/in-memory-challenge-answers.js';
import type * as fieldedBm25SearchEngineModule from '../adapters/minisearch/fielded-bm25-search-engine.js';
import { NodeCertificateCrypto } from '../adapters/node-crypto/node-certificate-crypto.js';
import type * as tlsAlpnFrontDoorModule from '../adapters/node-tls/tls-alpn-front-door.js';
import type * as pinoLoggerModule from '../adapters/pino/pino-logger.js';
import type * as promClientMetricsModule from '../adapters/prom-client/prom-client-metrics.js';
import type * as keySealerModule from '../adapters/redis/key-sealer.js';
import type * as redisCertStoreModule from '../adapters/redis/redis-cert-store.js';
import type * as redisCertificateEventsModule from '../adapters/redis/redis-certificate-events.js';
import type * as redisChallengeAnswersModule from '../adapters/redis/redis-challenge-answers.js';
import type * as redisConnectionModule from '../adapters/redis/redis-connection.js';
import type * as redisLeaseLockModule from '../adapters/redis/redis-lease-lock.js';
import type * as porterStemmerModule from '../adapters/stemmer/porter-stemmer.js';
import type * as systemClockModule from '../adapters/system/system-clock.js';
import type * as ttyProgressReporterModule from '../adapters/terminal/tty-progress-reporter.js';
import type * as tokenFileAccessVerifierModule from '../adapters/token-file/token-file-access-verifier.js';
import { type BackoffPolicy, retryDelay } from '../domain/backoff.js';
import type { StoredCertificate } from '../domain/certificate.js';
import type * as indexToolsModule from '../domain/index-tools.js';
import type * as keepDocsFreshModule from '../domain/keep-docs-fresh.js';
import type * as obtainCertificateModule from '../domain/obtain-certificate.js';
import type { ActiveCertificate } from '../domain/obtain-certificate.js';
import { assessCertificate, isServable } from '../domain/renewal-policy.js';
import type * as renewalSchedulerModule from '../domain/renewal-scheduler.js';
import type * as serveDocsModule from '../domain/serve-docs.js';
import { ACCESS_VERIFIER, type AccessVerifier } from '../ports/access-verifier.js';
import { ACME_CLIENT } from '../ports/acme-client.js';
import { CERT_STORE, type CertStore } from '../ports/cert-store.js';
import { CERTIFICATE_CRYPTO } from '../ports/certificate-crypto.js';
import { CERTIFICATE_EVENTS, type CertificateEvents } from '../ports/certificate-events.js';
import { CERTIFICATE_INSTALLER, type CertificateInstaller } from '../ports/certificate-installer.js';
import { CHALLENGE_ANSWERS, type ChallengeAnswers } from '../ports/challenge-answers.js';
import { CHALLENGE_RESPONDER } from '../ports/challenge-responder.js';
import { CLOCK, type Clock } from '../ports/clock.js';
import { DOC_SOURCE } from '../ports/doc-source.js';
import { INDEX_STORE, NO_INDEX_STORE } from '../ports/index-store.js';
import { LEASE_LOCK } from '../ports/lease-lock.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { MCP_TRANSPORT, type McpTransport } from '../ports/mcp-transport.js';
import { METRICS, type Metrics, NO_METRICS } from '../ports/metrics.js';
import { PROGRESS_REPORTER } from '../ports/progress-reporter.js';
import { RANDOM } from '../ports/random.js';
import { SEARCH_ENGINE } from '../ports/search-engine.js';
import { SECTION_SPLITTER } from '../ports/section-splitter.js';
import { FRESHNESS_SETTINGS, OBTAIN_SETTINGS } from '../ports/settings.js';
import { STEMMER } from '../ports/stemmer.js';
import { TLS_ALPN_RESPONDER } from '../ports/tls-alpn-responder.js';
import { type AcmeConfig, type AppConfig, freshnessSettings, obtainSettings } from './config.js';
import { DeferredMetrics } from './deferred-metrics.js';
import { type Application, Lifecycle, type Stage } from './lifecycle.js';
import { flagLabel } from './options.js';
import { writePidFile } from './pid-file.js';
import { ListenError, StartupError } from './startup-error.js';
import { VERSION } from './version.js';

// ---- The graph beyond the first answer, loaded once (see loadGraph) -------------------------

let instanceCachingFactory: typeof tsyringeModule.instanceCachingFactory;
let rootContainer: typeof tsyringeModule.container;
let AcmeClientAdapter: typeof acmeClientAdapterModule.AcmeClientAdapter;
let FsCertStore: typeof fsCertStoreModule.FsCertStore;
let FsIndexStore: typeof fsIndexStoreModule.FsIndexStore;
let FsMarkdownDocSource: typeof fsMarkdownDocSourceModule.FsMarkdownDocSource;
let HonoChallengeResponder: typeof honoChallengeResponderModule.HonoChallengeResponder;
let HttpMcpTransport: typeof httpMcpTransportModule.HttpMcpTransport;
let MetricsListener: typeof metricsListenerModule.MetricsListener;
let HugoIndexDocSource: typeof hugoIndexDocSourceModule.HugoIndexDocSource;
let MarkedSectionSplitter: typeof markedSectionSplitterModule.MarkedSectionSplitter;
let StdioMcpTransport: typeof stdioMcpTransportModule.StdioMcpTransport;
let InMemoryCertificateEvents: typeof inMemoryCertificateEventsModule.InMemoryCertificateEvents;
let InMemoryChallengeAnswers: typeof inMemoryChallengeAnswersModule.InMemoryChallengeAnswers;
let FieldedBm25SearchEngine: typeof fieldedBm25SearchEngineModule.FieldedBm25SearchEngine;
let TlsAlpnFrontDoor: typeof tlsAlpnFrontDoorModule.TlsAlpnFrontDoor;
let PinoLogger: typeof pinoLoggerModule.PinoLogger;
let PromClientMetrics: typeof promClientMetricsModule.PromClientMetrics;
let KeySealer: typeof keySealerModule.KeySealer;
let RedisCertStore: typeof redisCertStoreModule.RedisCertStore;
let RedisCertificateEvents: typeof redisCertificateEventsModule.RedisCertificateEvents;
let RedisChallengeAnswers: typeof redisChallengeAnswersModule.RedisChallengeAnswers;
let RedisConnection: typeof redisConnectionModule.RedisConnection;
let RedisLeaseLock: typeof redisLeaseLockModule.RedisLeaseLock;
let PorterStemmer: typeof porterStemmerModule.PorterStemmer;
let SystemClock: typeof systemClockModule.SystemClock;
let TtyProgressReporter: typeof ttyProgressReporterModule.TtyProgressReporter;
let TokenFileAccessVerifier: typeof tokenFileAccessVerifierModule.TokenFileAccessVerifier;
let IndexTools: typeof indexToolsModule.IndexTools;
let KeepDocsFresh: typeof keepDocsFreshModule.KeepDocsFresh;
let ObtainCertificate: typeof obtainCertificateModule.ObtainCertificate;
let RenewalScheduler: typeof renewalSchedulerModule.RenewalScheduler;
let ServeDocs: typeof serveDocsModule.ServeDocs;

let core: Promise<void> | undefined;
let docsPart: Promise<void> | undefined;

/**
 * Everything but the early HTTPS listener is loaded after it, in two parts. The core is what a
 * certificate order needs: tsyringe, the use-cases, pino, prom-client, the ACME and challenge
 * adapters. A start over a stored certificate answers HTTPS before any of it is compiled; a first
 * start begins its ACME order as soon as the core is there, while the docs part loads. The
 * bindings above are set once their part has loaded; only code that runs after (wire(), the
 * stages) uses them. reflect-metadata goes first: the use-cases' decorators need it when their
 * modules are evaluated.
 */
function loadCore(): Promise<void> {
  core ??= (async () => {
    await import('reflect-metadata');
    const [
      tsyringe,
      acmeClientAdapter,
      fsCertStore,
      honoChallengeResponder,
      inMemoryCertificateEvents,
      inMemoryChallengeAnswers,
      tlsAlpnFrontDoor,
      pinoLogger,
      keySealer,
      redisCertStore,
      redisCertificateEvents,
      redisChallengeAnswers,
      redisConnection,
      redisLeaseLock,
      systemClock,
      ttyProgressReporter,
      indexTools,
      keepDocsFresh,
      obtainCertificate,
      renewalScheduler,
      serveDocs,
    ] = await Promise.all([
      import('tsyringe'),
      import('../adapters/acme-client/acme-client-adapter.js'),
      import('../adapters/filesystem/fs-cert-store.js'),
      import('../adapters/hono/hono-challenge-responder.js'),
      import('../adapters/memory/in-memory-certificate-events.js'),
      import('../adapters/memory/in-memory-challenge-answers.js'),
      import('../adapters/node-tls/tls-alpn-front-door.js'),
      import('../adapters/pino/pino-logger.js'),
      import('../adapters/redis/key-sealer.js'),
      import('../adapters/redis/redis-cert-store.js'),
      import('../adapters/redis/redis-certificate-events.js'),
      import('../adapters/redis/redis-challenge-answers.js'),
      import('../adapters/redis/redis-connection.js'),
      import('../adapters/redis/redis-lease-lock.js'),
      import('../adapters/system/system-clock.js'),
      import('../adapters/terminal/tty-progress-reporter.js'),
      import('../domain/index-tools.js'),
      import('../domain/keep-docs-fresh.js'),
      import('../domain/obtain-certificate.js'),
      import('../domain/renewal-scheduler.js'),
      import('../domain/serve-docs.js'),
    ]);
    // CommonJS: in the bundle its exports may arrive as `default`.
    ({ instanceCachingFactory, container: rootContainer } =
      (tsyringe as unknown as { default?: typeof tsyringeModule }).default ?? tsyringe);
    ({ AcmeClientAdapter } = acmeClientAdapter);
    ({ FsCertStore } = fsCertStore);
    ({ HonoChallengeResponder } = honoChallengeResponder);
    ({ InMemoryCertificateEvents } = inMemoryCertificateEvents);
    ({ InMemoryChallengeAnswers } = inMemoryChallengeAnswers);
    ({ TlsAlpnFrontDoor } = tlsAlpnFrontDoor);
    ({ PinoLogger } = pinoLogger);
    ({ KeySealer } = keySealer);
    ({ RedisCertStore } = redisCertStore);
    ({ RedisCertificateEvents } = redisCertificateEvents);
    ({ RedisChallengeAnswers } = redisChallengeAnswers);
    ({ RedisConnection } = redisConnection);
    ({ RedisLeaseLock } = redisLeaseLock);
    ({ SystemClock } = systemClock);
    ({ TtyProgressReporter } = ttyProgressReporter);
    ({ IndexTools } = indexTools);
    ({ KeepDocsFresh } = keepDocsFresh);
    ({ ObtainCertificate } = obtainCertificate);
    ({ RenewalScheduler } = renewalScheduler);
    ({ ServeDocs } = serveDocs);
  })();
  return core;
}

/**
 * The docs part: sources (gray-matter, js-yaml), the Markdown splitter (marked), the search
 * engine, and the HTTP transport. Resolving ServeDocs, IndexTools, KeepDocsFresh or the MCP
 * transport needs it; the stages that do await it (`docsLoaded`).
 */
function loadDocs(): Promise<void> {
  docsPart ??= (async () => {
    const [
      fsIndexStore,
      fsMarkdownDocSource,
      httpMcpTransport,
      hugoIndexDocSource,
      markedSectionSplitter,
      stdioMcpTransport,
      fieldedBm25SearchEngine,
      porterStemmer,
      tokenFileAccessVerifier,
    ] = await Promise.all([
      import('../adapters/filesystem/fs-index-store.js'),
      import('../adapters/filesystem/fs-markdown-doc-source.js'),
      import('../adapters/hono/http-mcp-transport.js'),
      import('../adapters/hugo-index/hugo-index-doc-source.js'),
      import('../adapters/marked/marked-section-splitter.js'),
      import('../adapters/mcp-sdk/stdio-mcp-transport.js'),
      import('../adapters/minisearch/fielded-bm25-search-engine.js'),
      import('../adapters/stemmer/porter-stemmer.js'),
      import('../adapters/token-file/token-file-access-verifier.js'),
    ]);
    ({ FsIndexStore } = fsIndexStore);
    ({ FsMarkdownDocSource } = fsMarkdownDocSource);
    ({ HttpMcpTransport } = httpMcpTransport);
    ({ HugoIndexDocSource } = hugoIndexDocSource);
    ({ MarkedSectionSplitter } = markedSectionSplitter);
    ({ StdioMcpTransport } = stdioMcpTransport);
    ({ FieldedBm25SearchEngine } = fieldedBm25SearchEngine);
    ({ PorterStemmer } = porterStemmer);
    ({ TokenFileAccessVerifier } = tokenFileAccessVerifier);
  })();
  return docsPart;
}

let promPart: Promise<void> | undefined;
let metricsListenerPart: Promise<void> | undefined;

/**
 * prom-client (with its default metrics and @opentelemetry/api): recorded through DeferredMetrics
 * from the start, loaded beside the docs part, off the way to a first certificate.
 */
function loadProm(): Promise<void> {
  promPart ??= import('../adapters/prom-client/prom-client-metrics.js').then((m) => {
    ({ PromClientMetrics } = m);
  });
  return promPart;
}

/** `--metrics-port` only: a Hono app, which loads undici (fetch's Request) as it loads. */
function loadMetricsListener(): Promise<void> {
  metricsListenerPart ??= import('../adapters/hono/metrics-listener.js').then((m) => {
    ({ MetricsListener } = m);
  });
  return metricsListenerPart;
}

const loadGraph = () =>
  Promise.all([loadCore(), loadDocs(), loadProm(), loadMetricsListener()]).then(() => undefined);

/**
 * The one composition root. It alone knows which adapter stands behind which port, and it alone
 * asks the container for anything: main and the CLI get a ready object (an Application, a
 * CertTool). The order things start and stop in is declared here too, next to the wiring.
 *
 * Every call builds a child container, so tests can replace any adapter (`override`) without
 * touching the global container (acme-client's x509 dependency keeps its crypto providers there).
 */
export interface ComposeOptions {
  /** Called after the wiring, before anything is built: tests register fakes over ports here. */
  readonly override?: (c: DependencyContainer) => void;
  readonly parent?: DependencyContainer;
}

/** `certdocs [options]`: plain HTTP (or stdio) without a domain, HTTPS with its own certificate with one. */
export function composeServer(config: AppConfig, options: ComposeOptions = {}): Application {
  const acme = config.acme;
  const early = acme ? earlyHttps(config, acme) : undefined;
  let app: Application | undefined;
  return {
    start: async () => {
      try {
        // Stage 0: HTTPS from the stored certificate, before the rest of certdocs is even loaded.
        const serving = await early?.openStored();
        // The request that woke certdocs (or the first health check) is answered, or held, before
        // compiling the rest takes the event loop for a while; no request comes: a short wait.
        const listener = early?.listener;
        if (serving) await firstRequestOrWindow(listener);
        // No certificate to serve yet: acme-client (the biggest module) loads beside the rest.
        if (acme && early && !serving) {
          warmConnection(acme.directoryUrl);
          void loadAcmeLib().catch(() => undefined);
        }
        // A test's override may resolve anything (ServeDocs too): then everything loads first.
        await (options.override ? loadGraph() : loadCore());
        // A first order gets a head start: the docs part (~0.1 s of compiling on one thread)
        // loads once the certificate is there or ORDER_HEAD_START_MS have passed, whichever is
        // first. A CA next door answers within that; a remote one leaves seconds of waiting to fill.
        const headStart = early && !serving ? gate(ORDER_HEAD_START_MS) : undefined;
        const docsLoaded = (headStart?.opened ?? Promise.resolve()).then(loadDocs);
        docsLoaded.catch(() => undefined); // awaited by the stages that need it
        const wired = wire(config, options, early, docsLoaded);
        app = acme ? httpsServer(wired, config, acme, early, headStart?.open) : plainServer(wired, config);
        return await app.start();
      } catch (e) {
        await early?.close();
        throw e;
      }
    },
    stop: async () => {
      await app?.stop();
      await early?.close();
    },
    renewNow: acme ? async () => app?.renewNow?.() : undefined,
  };
}

/** How long HTTPS from a stored certificate waits for a first request before loading the rest. */
const FIRST_REQUEST_WINDOW_MS = 50;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once the early listener saw its first request, or FIRST_REQUEST_WINDOW_MS later. */
const firstRequestOrWindow = async (listener: NodeListener | undefined) => {
  if (listener) await Promise.race([listener.firstRequest, delay(FIRST_REQUEST_WINDOW_MS)]);
};

/**
 * How long a first certificate order runs alone before the docs part starts loading beside it.
 * A CA next door answers well within it; on a loaded machine (load 6-9 here) a 250 ms head start
 * ran out mid-order and the docs part's compiling held the rest of the exchange for up to a second.
 */
const ORDER_HEAD_START_MS = 500;

/** A promise that opens when `open()` is called or after `ms`, whichever is first. */
function gate(ms: number): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    open = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { opened, open };
}

/**
 * The HTTPS listener opened before the application: at once from a stored, servable certificate
 * (a restart), or as soon as a new one is issued (while the docs are still being indexed). It
 * answers `/healthz` with `starting` and holds the other requests until the MCP transport adopts
 * it (stage 4). Only with the certificate in files and certdocs owning its HTTPS port: with
 * TLS-ALPN-01 the front door owns it, with Redis the certificate is not read before connecting.
 */
interface EarlyHttps {
  readonly listener: NodeListener | undefined;
  /** Listens if the stored certificate can be served; resolves whether it does. */
  openStored(): Promise<boolean>;
  /** Listens with this certificate unless already listening. */
  open(cert: StoredCertificate): Promise<void>;
  close(): Promise<void>;
}

function earlyHttps(config: AppConfig, acme: AcmeConfig): EarlyHttps | undefined {
  if (
    config.transport !== 'http' ||
    (acme.store?.kind ?? 'fs') !== 'fs' ||
    acme.challenges.includes('tls-alpn-01')
  )
    return undefined;
  let listener: NodeListener | undefined;
  const open = async (cert: StoredCertificate) => {
    if (listener) return;
    listener = await listen('port', config, () =>
      listenNode({
        host: config.host,
        port: config.port,
        tls: { keyPem: cert.keyPem, certPem: cert.certPem },
        limits: { maxConnections: config.maxConnections },
      }),
    );
  };
  return {
    get listener() {
      return listener;
    },
    openStored: async () => {
      // Synchronous reads: nothing else runs yet, and HTTPS listens a few thread-pool trips sooner.
      // A pair being saved meanwhile is left to the full start (ObtainCertificate reads it again).
      const cert = readStoredCertificateSync(acme.certsDir, acme.domains[0]);
      if (!cert) return false;
      // The same judgement as ObtainCertificate.ensure(), which runs again once the graph is loaded.
      const info = new NodeCertificateCrypto().inspect(cert);
      if (!isServable(assessCertificate(info, acme.domains, new Date()))) return false;
      await open(cert);
      return true;
    },
    open,
    close: async () => {
      await listener?.close();
    },
  };
}

/** What `certdocs cert status|renew` works with: the use-case, the store's name for the files, the listeners. */
export interface CertTool {
  readonly obtain: obtainCertificateModule.ObtainCertificate;
  /** Where the store keeps the certificate (a path, for people). */
  readonly location: string;
  /** The listeners the configured challenges need, for a renewal without a running server. */
  challengeListeners(): Lifecycle;
  /**
   * With a shared store (`--store redis`): asks the replicas watching it to renew now; resolves
   * to how many heard (0: none is running).
   */
  readonly askReplicasToRenew?: () => Promise<number>;
  /** Lets go of what the tool opened (the Redis connection). */
  close(): Promise<void>;
}

export async function composeCertTool(
  config: AppConfig & { readonly acme: AcmeConfig },
  options: ComposeOptions = {},
): Promise<CertTool> {
  await loadGraph();
  // A one-shot command: nothing would scrape what it recorded.
  const wired = wire({ ...config, metrics: { on: 'off' } }, options);
  const { c, listeners } = wired;
  const obtain = c.resolve(ObtainCertificate);
  const redis = listeners.redis;
  return {
    obtain,
    location: c.resolve<CertStore>(CERT_STORE).location(obtain.name),
    challengeListeners: () =>
      new Lifecycle(c.resolve<Logger>(LOGGER), challengeStages(wired, config, config.acme).stages),
    askReplicasToRenew: redis
      ? () => c.resolve<CertificateEvents>(CERTIFICATE_EVENTS).announce(obtain.name, 'renewal_requested')
      : undefined,
    close: async () => {
      await redis?.().close();
    },
  };
}

// ---- Start-up and shutdown order: stages start top to bottom and stop bottom to top ------------

/** Index the docs, then serve MCP over plain HTTP or stdio; watch the source. */
function plainServer(wired: Wired, config: AppConfig): Application {
  const { c, docsLoaded } = wired;
  const docs = () => c.resolve(ServeDocs);
  let url: string | undefined;
  const life = new Lifecycle(c.resolve<Logger>(LOGGER), [
    ...metricsStages(wired, config),
    // Stopping saves an index still waiting to be saved for the next start, instead of dropping it.
    {
      name: 'index save',
      start: async () => {
        await docsLoaded;
        await docs().load();
      },
      stop: () => docs().close(),
    },
    ...accessControl(c, config),
    {
      name: 'MCP transport',
      start: async () => {
        ({ url } = await listen('port', config, () => transport(c).start()));
      },
      stop: () => transport(c).stop(),
    },
    docRefresh(c),
  ]);
  return {
    start: async () => {
      await life.start();
      return { url };
    },
    stop: () => life.stop(),
  };
}

/**
 * The challenge listeners come up first; the docs are indexed while the certificate is obtained;
 * MCP is served only over HTTPS, never over plain HTTP as a fallback.
 */
function httpsServer(
  wired: Wired,
  config: AppConfig,
  acme: AcmeConfig,
  early?: EarlyHttps,
  /** Lets the docs part load (see composeServer): called once the certificate is there. */
  certificateReady: () => void = () => undefined,
): Application {
  const { c, listeners, docsLoaded } = wired;
  const docs = () => c.resolve(ServeDocs);
  const obtain = c.resolve(ObtainCertificate);
  const orders = new AbortController();
  const stopping = new AbortController();
  const challenges = challengeStages(wired, config, acme, stopping.signal);
  let cert: ActiveCertificate | undefined;
  let url: string | undefined;
  const life = new Lifecycle(c.resolve<Logger>(LOGGER), [
    // First, so that a scraper sees the certificate orders while they run.
    ...metricsStages(wired, config),
    ...challenges.stages,
    {
      name: 'index save and certificate orders',
      start: async () => {
        try {
          // HTTPS is served as soon as the certificate is there, while the docs are still indexed.
          const certificate = obtain.ensure(orders.signal).then(async (active) => {
            await early?.open(active.cert);
            return active;
          });
          // The docs part loads once HTTPS has answered its first request (or a short wait), so
          // that the first handshake does not queue behind the compiler (as over a stored one).
          void certificate
            .then(() => firstRequestOrWindow(early?.listener))
            .finally(certificateReady)
            .catch(() => undefined);
          [, cert] = await Promise.all([docsLoaded.then(() => docs().load()), certificate]);
        } catch (e) {
          orders.abort();
          throw e;
        }
      },
      stop: async () => {
        orders.abort();
        await docs().close();
      },
    },
    ...accessControl(c, config),
    {
      // Only now does the MCP SDK start loading (in the background): it costs ~0.1 s of CPU that
      // would otherwise delay the ACME exchange; /mcp requests wait for it, /healthz does not.
      name: 'MCP transport',
      start: async () => {
        c.resolve<CertificateInstaller>(CERTIFICATE_INSTALLER).install(started(cert).cert);
        const bound = await listen('port', config, () => transport(c).start());
        url = bound.url;
        const endpoint = listeners.httpEndpoint?.();
        if (bound.port !== undefined) endpoint?.setHttpsPort(bound.port);
        endpoint?.setReady(true);
      },
      stop: () => transport(c).stop(),
    },
    {
      name: 'renewal scheduler',
      start: () => void c.resolve(RenewalScheduler).start(started(cert)),
      stop: () => c.resolve(RenewalScheduler).stop(),
    },
    docRefresh(c),
    pidFile(acme),
  ]);
  return {
    start: async () => {
      await life.start();
      return { url, acmeUrl: challenges.acmeUrl() };
    },
    stop: () => {
      stopping.abort();
      return life.stop();
    },
    renewNow: async () => {
      await c
        .resolve(RenewalScheduler)
        .renewNow()
        .catch((e: Error) => c.resolve<Logger>(LOGGER).error('forced renewal failed', { error: e.message }));
    },
  };
}

/** A replica that cannot reach Redis at start-up tries again after 1 s, 2 s, 4 s … at most 30 s. */
const REDIS_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** HTTP-01 needs the ACME port; TLS-ALPN-01 the front door on the HTTPS port (and nothing on port 80). */
function challengeStages(
  { c, listeners }: Wired,
  config: AppConfig,
  acme: AcmeConfig,
  /** A server keeps trying to reach Redis until this is aborted (it stops); a command does not. */
  waitForRedis?: AbortSignal,
): { stages: Stage[]; acmeUrl: () => string | undefined } {
  const logger = c.resolve<Logger>(LOGGER);
  const stages: Stage[] = [];
  let acmeUrl: string | undefined;
  const redis = listeners.redis;
  if (redis) {
    // First: the challenge answers, the lock and the certificate all live there.
    stages.push({
      name: 'Redis connection',
      start: async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await redis().get();
            break;
          } catch (e) {
            // A one-shot command says so and stops; a replica waits for Redis (its certificate is
            // there) and serves nothing meanwhile, rather than exiting into a restart loop.
            if (!waitForRedis) throw new StartupError(`${flagLabel('redis-url')}: ${(e as Error).message}`);
            const retryInMs = retryDelay(attempt, REDIS_BACKOFF);
            logger.warn(
              'cannot reach Redis, which holds the certificate: serving nothing until it answers; will try again',
              {
                redis: redis().where,
                error: (e as Error).message,
                attempt: attempt + 1,
                retryInMs,
              },
            );
            await c.resolve<Clock>(CLOCK).sleep(retryInMs, waitForRedis);
            if (waitForRedis.aborted) throw new Error('stopped while waiting for Redis');
          }
        }
        logger.info('connected to Redis', { redis: redis().where });
      },
      stop: () => redis().close(),
    });
  }
  const endpoint = listeners.httpEndpoint;
  if (endpoint) {
    stages.push({
      name: 'HTTP-01 responder',
      start: async () => {
        ({ url: acmeUrl } = await listen('acmePort', { ...config, port: acme.acmePort }, () =>
          endpoint().start(),
        ));
        logger.info('HTTP-01 responder listening', { url: acmeUrl });
      },
      stop: () => endpoint().stop(),
    });
  }
  const frontDoor = listeners.frontDoor;
  if (frontDoor) {
    stages.push({
      name: 'TLS-ALPN-01 front door',
      start: async () => {
        await listen('port', config, () => frontDoor().start());
        logger.info('TLS-ALPN-01 responder listening on the HTTPS port', { port: config.port });
      },
      stop: () => frontDoor().stop(),
    });
  }
  return { stages, acmeUrl: () => acmeUrl };
}

/** `--metrics-port`: /metrics on a listener of its own (otherwise it is a route of the MCP listener). */
function metricsStages({ listeners }: Wired, config: AppConfig): Stage[] {
  const metrics = listeners.metrics;
  if (!metrics || config.metrics?.on !== 'own-port') return [];
  const where = { ...config, port: config.metrics.port, transport: 'http' };
  return [
    {
      name: 'metrics listener',
      start: async () => {
        await loadMetricsListener();
        await listen('metricsPort', where, () => metrics().start());
      },
      stop: () => metrics().stop(),
    },
  ];
}

/**
 * Access control is ready before anything is served: the tokens file read, the issuer's metadata
 * fetched. If it cannot be, certdocs does not start (serving openly instead would be the wrong failure).
 */
function accessControl(c: DependencyContainer, config: AppConfig): Stage[] {
  if ((config.auth?.mode ?? 'none') === 'none' || config.transport === 'stdio') return [];
  const verifier = () => c.resolve<AccessVerifier & Partial<Startable>>(ACCESS_VERIFIER);
  return [
    {
      name: 'access control',
      start: async () => {
        await verifier().start?.();
      },
      stop: async () => {
        await verifier().stop?.();
      },
    },
  ];
}

/** What the access verifiers do beyond the port: load at start, stop watching at stop. */
interface Startable {
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/**
 * A verifier whose module is imported when its stage starts: jose costs tens of milliseconds to
 * load, which a server without `--auth oauth` should not pay. Nothing is served before that stage.
 */
function loadedAtStart(load: () => Promise<AccessVerifier & Startable>): AccessVerifier & Startable {
  let loaded: (AccessVerifier & Startable) | undefined;
  return {
    start: async () => {
      loaded = await load();
      await loaded.start();
    },
    stop: () => loaded?.stop?.(),
    verify: (authorization) =>
      loaded
        ? loaded.verify(authorization)
        : Promise.resolve({
            ok: false,
            failure: { code: 'unavailable', description: 'access control is starting' },
          }),
  };
}

/** `certdocs token new`: a fresh access token and the line the tokens file keeps for it. */
export async function newAccessToken(): Promise<{ token: string; line: string }> {
  return (await import('../adapters/token-file/token-store.js')).newToken();
}

function docRefresh(c: DependencyContainer): Stage {
  const fresh = () => c.resolve(KeepDocsFresh);
  return {
    name: 'doc refresh',
    start: () => fresh().start(() => transport(c).notifyResourcesChanged()),
    stop: () => fresh().stop(),
  };
}

function pidFile(acme: AcmeConfig): Stage {
  let remove: (() => void) | undefined;
  return {
    name: 'pid file',
    start: () => {
      remove = writePidFile(acme.certsDir);
    },
    stop: () => remove?.(),
  };
}

/** A port that is taken or privileged becomes a ListenError naming the setting; the CLI names the flag. */
async function listen<T>(
  setting: ListenError['setting'],
  where: { readonly port: number; readonly host?: string; readonly transport?: string },
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if (where.transport === 'stdio') throw e; // no port involved
    throw new ListenError(setting, where.port, where.host, e);
  }
}

function started(cert: ActiveCertificate | undefined): ActiveCertificate {
  if (!cert) throw new Error('the certificate stage has not run');
  return cert;
}

// ---- Wiring: which adapter stands behind which port ------------------------------------------

const transport = (c: DependencyContainer) => c.resolve<McpTransport>(MCP_TRANSPORT);
const logger = (r: DependencyContainer) => r.resolve<Logger>(LOGGER);

/** One instance per container, made on first use. */
function once<T>(make: FactoryFunction<T>) {
  return { useFactory: instanceCachingFactory(make) };
}

/** Made on first use, then kept: a listener is built only when a start needs it. */
function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/**
 * The listeners only this file starts and stops. They are not behind a port token: nothing else
 * depends on them as listeners (as a ChallengeResponder or a TlsAlpnResponder they are).
 */
interface Listeners {
  /** The plain-HTTP side when HTTP-01 is on: challenge answers, /healthz, 301 to HTTPS. */
  readonly httpEndpoint?: () => honoChallengeResponderModule.HonoChallengeResponder;
  /** Owns the HTTPS port when TLS-ALPN-01 is on. */
  readonly frontDoor?: () => tlsAlpnFrontDoorModule.TlsAlpnFrontDoor;
  /** GET /metrics on a port of its own (`--metrics-port`). */
  readonly metrics?: () => metricsListenerModule.MetricsListener;
  /** With `--store redis`: the connection the replicas share everything through. */
  readonly redis?: () => redisConnectionModule.RedisConnection;
}

interface Wired {
  readonly c: DependencyContainer;
  readonly listeners: Listeners;
  /** The docs part of the graph (see loadDocs): resolving ServeDocs or the transport waits for it. */
  readonly docsLoaded: Promise<void>;
}

function wire(
  config: AppConfig,
  { parent = rootContainer, override }: ComposeOptions,
  early?: EarlyHttps,
  docsLoaded: Promise<void> = Promise.resolve(),
): Wired {
  let docsReady = false;
  void docsLoaded.then(() => {
    docsReady = true;
  });
  const c = parent.createChildContainer();
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stderr.isTTY);
  c.register(LOGGER, { useValue: new PinoLogger(config.logLevel, undefined, { pretty }) });
  c.register(CLOCK, { useValue: new SystemClock() });
  c.register(RANDOM, { useValue: Math.random });

  const docs = config.docs;
  c.register(
    DOC_SOURCE,
    once((r) =>
      docs.kind === 'dir'
        ? new FsMarkdownDocSource(docs.location, logger(r))
        : new HugoIndexDocSource(docs.location, logger(r)),
    ),
  );
  c.register(
    PROGRESS_REPORTER,
    once((r) => new TtyProgressReporter(logger(r))),
  );
  const cacheDir = config.indexCache;
  c.register(
    INDEX_STORE,
    once((r) => (cacheDir ? new FsIndexStore(cacheDir, VERSION, logger(r)) : NO_INDEX_STORE)),
  );
  c.register(FRESHNESS_SETTINGS, { useValue: freshnessSettings(config) });
  // Metrics are recorded only when something serves them: on the MCP listener or a port of its own.
  const metricsOn = config.metrics?.on ?? 'main';
  const deferred = metricsOn === 'off' ? undefined : new DeferredMetrics();
  const prom =
    deferred &&
    lazy(async () => {
      await loadProm();
      const recorder = new PromClientMetrics(c.resolve<Clock>(CLOCK));
      deferred.attach(recorder);
      return recorder;
    });
  c.register(METRICS, { useValue: deferred ?? NO_METRICS });
  // prom-client loads with the docs part (a first order does not wait for it), or when scraped.
  if (prom) void docsLoaded.then(prom).catch(() => undefined);
  const metrics = (r: DependencyContainer) => r.resolve<Metrics>(METRICS);
  const scrape = prom && (async () => (await prom()).exposition());
  const ownPort = config.metrics?.on === 'own-port' ? config.metrics.port : undefined;
  const metricsListener =
    scrape && ownPort !== undefined
      ? lazy(() => new MetricsListener({ host: config.host, port: ownPort, scrape, logger: logger(c) }))
      : undefined;
  // The search engine: Markdown split into sections, words stemmed, sections ranked.
  c.register(
    SECTION_SPLITTER,
    once(() => new MarkedSectionSplitter()),
  );
  c.register(
    STEMMER,
    once(() => new PorterStemmer()),
  );
  c.register(
    SEARCH_ENGINE,
    once(() => new FieldedBm25SearchEngine()),
  );
  c.registerSingleton(IndexTools);
  c.registerSingleton(ServeDocs);
  c.registerSingleton(KeepDocsFresh);

  const acme = config.acme;
  const store = acme?.store ?? { kind: 'fs' };
  const redis = store.kind === 'redis' ? lazy(() => new RedisConnection(store.url, logger(c))) : undefined;
  // Each listening port gets the same cap; the timeouts are the adapters' defaults.
  const limits = { maxConnections: config.maxConnections };
  const frontDoor = acme?.challenges.includes('tls-alpn-01')
    ? lazy(
        () =>
          new TlsAlpnFrontDoor(
            {
              host: config.host,
              port: config.port,
              limits,
              answers: c.resolve<ChallengeAnswers>(CHALLENGE_ANSWERS),
            },
            logger(c),
          ),
      )
    : undefined;
  const auth = config.auth ?? { mode: 'none' };
  const authOn = auth.mode !== 'none';
  if (auth.mode === 'token') {
    c.register(
      ACCESS_VERIFIER,
      once((r) => new TokenFileAccessVerifier(auth.tokensFile, logger(r))),
    );
  } else if (auth.mode === 'oauth') {
    c.register(
      ACCESS_VERIFIER,
      once((r) =>
        loadedAtStart(() =>
          import('../adapters/jose/jose-access-verifier.js').then(
            (m) =>
              new m.JoseAccessVerifier(
                {
                  issuer: auth.issuer,
                  audience: auth.audience,
                  requiredScopes: auth.scopes,
                  client: auth.client,
                },
                logger(r),
              ),
          ),
        ),
      ),
    );
  }
  // /healthz reads the renewal state at each request, so the scheduler is built only when asked.
  // Behind access control the certificate's details are shown only with --health-details.
  const health: HealthFields | undefined =
    acme && (!authOn || config.healthDetails)
      ? // The scheduler needs the transport (its installer), which needs the docs part: until that
        // has loaded, no renewal is planned yet either.
        () => ({ certificate: docsReady ? (c.resolve(RenewalScheduler).status() ?? null) : null })
      : undefined;
  const httpEndpoint = acme?.challenges.includes('http-01')
    ? lazy(
        () =>
          new HonoChallengeResponder({
            host: config.host,
            port: acme.acmePort,
            domains: acme.domains,
            httpsPort: config.port,
            health,
            limits,
            answers: c.resolve<ChallengeAnswers>(CHALLENGE_ANSWERS),
            onLookupError: (e) =>
              logger(c).warn('cannot read HTTP-01 answers; the CA got a 503 and will retry', {
                error: e.message,
              }),
          }),
      )
    : undefined;
  // Any replica answers any HTTP-01 challenge: with Redis, the answers are kept there.
  c.register(
    CHALLENGE_ANSWERS,
    once(() => (redis ? new RedisChallengeAnswers(redis()) : new InMemoryChallengeAnswers())),
  );
  // The MCP SDK (with zod and Ajv) is imported on demand, when the transport is first built:
  // `--help` never loads it, and a start that orders a certificate loads it afterwards.
  const serverInfo = { name: 'certdocs', version: VERSION };
  const httpTransport = lazy(
    () =>
      new HttpMcpTransport(
        c.resolve(ServeDocs),
        () =>
          import('../adapters/mcp-sdk/mcp-stack.js').then((m) =>
            m.createMcpStack(c.resolve(ServeDocs), logger(c), serverInfo, metrics(c)),
          ),
        logger(c),
        {
          host: config.host,
          port: config.port,
          maxBodyBytes: config.maxBodyBytes,
          https: Boolean(acme),
          health,
          frontDoor: frontDoor?.(),
          metrics: metrics(c),
          scrape: metricsOn === 'main' ? scrape : undefined,
          limits,
          adopt: () => early?.listener,
          rateLimit: config.rateLimit,
          access: authOn
            ? {
                verifier: c.resolve<AccessVerifier>(ACCESS_VERIFIER),
                healthDetails: config.healthDetails,
                metadata:
                  auth.mode === 'oauth'
                    ? {
                        resource: auth.audience,
                        authorization_servers: [auth.issuer],
                        ...(auth.scopes.length ? { scopes_supported: auth.scopes } : {}),
                        bearer_methods_supported: ['header'],
                        resource_name: 'certdocs',
                      }
                    : undefined,
              }
            : undefined,
          guard: {
            allowedHosts: config.allowedHosts,
            allowedOrigins: config.allowedOrigins,
            domains: acme?.domains ?? [],
            hints: { hosts: flagLabel('allowed-hosts'), origins: flagLabel('allowed-origins') },
          },
        },
      ),
  );
  c.register(
    MCP_TRANSPORT,
    once((r) =>
      config.transport === 'stdio'
        ? new StdioMcpTransport(() =>
            import('../adapters/mcp-sdk/docs-mcp-server.js').then(
              (m) => new m.DocsMcpServerFactory(r.resolve(ServeDocs), logger(r), serverInfo, metrics(r)),
            ),
          )
        : httpTransport(),
    ),
  );

  if (acme) {
    c.register(OBTAIN_SETTINGS, { useValue: obtainSettings(acme) });
    c.register(
      CERT_STORE,
      once((r) =>
        redis && store.kind === 'redis'
          ? new RedisCertStore(redis(), new KeySealer(store.key))
          : new FsCertStore(acme.certsDir, logger(r)),
      ),
    );
    // Replicas on Redis: exactly one orders; on files there is one replica and no lock.
    if (redis)
      c.register(
        LEASE_LOCK,
        once(() => new RedisLeaseLock(redis())),
      );
    // Replicas on Redis hear of each other's certificates through pub/sub; alone, in this process.
    c.register(
      CERTIFICATE_EVENTS,
      once((r) => (redis ? new RedisCertificateEvents(redis(), logger(r)) : new InMemoryCertificateEvents())),
    );
    c.register(CERTIFICATE_CRYPTO, { useValue: new NodeCertificateCrypto() });
    c.register(
      ACME_CLIENT,
      once((r) => new AcmeClientAdapter({ directoryUrl: acme.directoryUrl }, r.resolve<Clock>(CLOCK))),
    );
    if (httpEndpoint)
      c.register(
        CHALLENGE_RESPONDER,
        once(() => httpEndpoint()),
      );
    if (frontDoor)
      c.register(
        TLS_ALPN_RESPONDER,
        once(() => frontDoor()),
      );
    c.register(
      CERTIFICATE_INSTALLER,
      once(() => httpTransport()),
    );
    c.registerSingleton(ObtainCertificate);
    c.registerSingleton(RenewalScheduler);
  }
  override?.(c);
  return { c, listeners: { httpEndpoint, frontDoor, metrics: metricsListener, redis }, docsLoaded };
}
