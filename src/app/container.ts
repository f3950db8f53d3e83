import 'reflect-metadata';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { AcmeClientAdapter } from '../adapters/acme-client/acme-client-adapter.js';
import { FsCertStore } from '../adapters/filesystem/fs-cert-store.js';
import { FsIndexStore } from '../adapters/filesystem/fs-index-store.js';
import { FsMarkdownDocSource } from '../adapters/filesystem/fs-markdown-doc-source.js';
import { HonoChallengeResponder } from '../adapters/hono/hono-challenge-responder.js';
import { HttpMcpTransport } from '../adapters/hono/http-mcp-transport.js';
import { HugoIndexDocSource } from '../adapters/hugo-index/hugo-index-doc-source.js';
import { MarkedSectionSplitter } from '../adapters/marked/marked-section-splitter.js';
import { StdioMcpTransport } from '../adapters/mcp-sdk/stdio-mcp-transport.js';
import { FieldedBm25SearchEngine } from '../adapters/minisearch/fielded-bm25-search-engine.js';
import { NodeCertificateCrypto } from '../adapters/node-crypto/node-certificate-crypto.js';
import { TlsAlpnFrontDoor } from '../adapters/node-tls/tls-alpn-front-door.js';
import { PinoLogger } from '../adapters/pino/pino-logger.js';
import { PorterStemmer } from '../adapters/stemmer/porter-stemmer.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { TtyProgressReporter } from '../adapters/terminal/tty-progress-reporter.js';
import { AcmeError } from '../domain/acme-errors.js';
import { FRESHNESS_SETTINGS, KeepDocsFresh } from '../domain/keep-docs-fresh.js';
import { OBTAIN_SETTINGS, ObtainCertificate, type ObtainSettings } from '../domain/obtain-certificate.js';
import { RANDOM, RenewalScheduler } from '../domain/renewal-scheduler.js';
import { ServeDocs } from '../domain/serve-docs.js';
import { ACME_CLIENT } from '../ports/acme-client.js';
import { CERT_STORE } from '../ports/cert-store.js';
import { CERTIFICATE_CRYPTO } from '../ports/certificate-crypto.js';
import { CERTIFICATE_INSTALLER } from '../ports/certificate-installer.js';
import { CHALLENGE_RESPONDER } from '../ports/challenge-responder.js';
import { CLOCK, type Clock } from '../ports/clock.js';
import { DOC_SOURCE } from '../ports/doc-source.js';
import { INDEX_STORE, NO_INDEX_STORE } from '../ports/index-store.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { MCP_TRANSPORT } from '../ports/mcp-transport.js';
import { PROGRESS_REPORTER } from '../ports/progress-reporter.js';
import { SEARCH_ENGINE } from '../ports/search-engine.js';
import { SECTION_SPLITTER } from '../ports/section-splitter.js';
import { STEMMER } from '../ports/stemmer.js';
import { TLS_ALPN_RESPONDER, type TlsAlpnResponder } from '../ports/tls-alpn-responder.js';
import type { AppConfig } from './config.js';
import { VERSION } from './version.js';

export const APP_CONFIG = Symbol.for('certdocs.AppConfig');

/** Stands in when --challenge does not include tls-alpn-01 (the order then never picks it). */
const TLS_ALPN_DISABLED: TlsAlpnResponder = {
  present: async () => {
    throw new AcmeError('acme.config', 'TLS-ALPN-01 is not enabled: add it to --challenge');
  },
  remove: async () => undefined,
};
/** Extra /healthz fields, filled in by the app once a certificate is in service. */
export const HEALTH_EXTRAS = Symbol.for('certdocs.HealthExtras');
export type HealthExtras = { current: () => Record<string, unknown> };

/** The plain-HTTP side when a domain is set: HTTP-01 answers, /healthz, 301 to HTTPS. */
export interface AcmeHttpEndpoint {
  start(): Promise<{ url: string; port: number }>;
  setReady(ready: boolean): void;
  setHttpsPort(port: number): void;
  stop(): Promise<void>;
}
export const ACME_HTTP_ENDPOINT = Symbol.for('certdocs.AcmeHttpEndpoint');
/** The MCP transport's bound port, once started (HTTP transports only). */
export const BOUND_PORT = Symbol.for('certdocs.BoundPort');
/** Owns the HTTPS port when TLS-ALPN-01 is on (registered only then). */
export interface TlsFrontDoor {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}
export const TLS_FRONT_DOOR = Symbol.for('certdocs.TlsFrontDoor');
export type BoundPort = { current: () => number | undefined };

/**
 * The one composition root: the only place that knows which adapter stands behind which port.
 * Every call builds a child container, so tests can register fakes over any token without touching
 * the global container (acme-client's x509 dependency keeps its crypto providers there).
 */
export function buildContainer(
  config: AppConfig,
  parent: DependencyContainer = rootContainer,
): DependencyContainer {
  const c = parent.createChildContainer();
  const health: HealthExtras = { current: () => ({}) };
  const frontDoor = config.acme?.challenges.includes('tls-alpn-01')
    ? new TlsAlpnFrontDoor({ host: config.host, port: config.port }, new PinoLogger(config.logLevel))
    : undefined;
  c.register(APP_CONFIG, { useValue: config });
  c.register(HEALTH_EXTRAS, { useValue: health });
  c.register(LOGGER, { useValue: new PinoLogger(config.logLevel) });
  c.register(CLOCK, { useValue: new SystemClock() });
  c.register(DOC_SOURCE, {
    useFactory: instanceCachingFactory((r) =>
      config.docs.kind === 'dir'
        ? new FsMarkdownDocSource(config.docs.location, r.resolve<Logger>(LOGGER))
        : new HugoIndexDocSource(config.docs.location, r.resolve<Logger>(LOGGER)),
    ),
  });
  c.register(PROGRESS_REPORTER, {
    useFactory: instanceCachingFactory((r) => new TtyProgressReporter(r.resolve<Logger>(LOGGER))),
  });
  c.register(INDEX_STORE, {
    useFactory: instanceCachingFactory((r) =>
      config.indexCache
        ? new FsIndexStore(config.indexCache, VERSION, r.resolve<Logger>(LOGGER))
        : NO_INDEX_STORE,
    ),
  });
  // The search engine behind DocIndex (ServeDocs gets them as one IndexTools).
  c.register(SECTION_SPLITTER, { useValue: new MarkedSectionSplitter() });
  c.register(STEMMER, { useValue: new PorterStemmer() });
  c.register(SEARCH_ENGINE, { useValue: new FieldedBm25SearchEngine() });
  c.registerSingleton(ServeDocs);
  c.register(FRESHNESS_SETTINGS, { useValue: { refreshIntervalMs: config.refreshIntervalMs } });
  c.registerSingleton(KeepDocsFresh);
  // The MCP SDK (with zod and Ajv) is imported on demand: a start that orders a certificate loads
  // it while waiting for the CA instead of before, and `--help` never loads it.
  const serverInfo = { name: 'certdocs', version: VERSION };
  const loadStack = (r: DependencyContainer) => () =>
    import('../adapters/mcp-sdk/mcp-stack.js').then((m) =>
      m.createMcpStack(r.resolve(ServeDocs), r.resolve<Logger>(LOGGER), serverInfo),
    );
  const loadFactory = (r: DependencyContainer) => () =>
    import('../adapters/mcp-sdk/docs-mcp-server.js').then(
      (m) => new m.DocsMcpServerFactory(r.resolve(ServeDocs), r.resolve<Logger>(LOGGER), serverInfo),
    );
  c.register(HttpMcpTransport, {
    useFactory: instanceCachingFactory(
      (r) =>
        new HttpMcpTransport(r.resolve(ServeDocs), loadStack(r), r.resolve<Logger>(LOGGER), {
          host: config.host,
          port: config.port,
          maxBodyBytes: config.maxBodyBytes,
          https: Boolean(config.acme),
          health: () => health.current(),
          frontDoor: frontDoor && {
            setTarget: (server) => frontDoor.setTarget(server),
            get port() {
              return frontDoor.port;
            },
          },
          guard: {
            allowedHosts: config.allowedHosts,
            allowedOrigins: config.allowedOrigins,
            domains: config.acme?.domains ?? [],
          },
        }),
    ),
  });
  c.register(BOUND_PORT, { useFactory: (r) => ({ current: () => r.resolve(HttpMcpTransport).port }) });
  c.register(MCP_TRANSPORT, {
    useFactory: instanceCachingFactory((r) =>
      config.transport === 'stdio' ? new StdioMcpTransport(loadFactory(r)) : r.resolve(HttpMcpTransport),
    ),
  });
  if (config.acme) registerAcme(c, config, health);
  c.register(TLS_ALPN_RESPONDER, { useValue: frontDoor ?? TLS_ALPN_DISABLED });
  if (frontDoor) c.register(TLS_FRONT_DOOR, { useValue: frontDoor });
  return c;
}

function registerAcme(c: DependencyContainer, config: AppConfig, health: HealthExtras): void {
  const acme = config.acme;
  if (!acme) return;
  const settings: ObtainSettings = {
    domains: acme.domains,
    directoryUrl: acme.directoryUrl,
    email: acme.email,
    acceptTos: acme.acceptTos,
    profile: acme.profile,
    eab: acme.eab,
    challenges: acme.challenges,
  };
  c.register(OBTAIN_SETTINGS, { useValue: settings });
  c.register(CERT_STORE, {
    useFactory: instanceCachingFactory((r) => new FsCertStore(acme.certsDir, r.resolve<Logger>(LOGGER))),
  });
  c.register(CERTIFICATE_CRYPTO, { useValue: new NodeCertificateCrypto() });
  c.register(ACME_CLIENT, {
    useFactory: instanceCachingFactory(
      (r) => new AcmeClientAdapter({ directoryUrl: acme.directoryUrl }, r.resolve<Clock>(CLOCK)),
    ),
  });
  c.register(HonoChallengeResponder, {
    useFactory: instanceCachingFactory(
      () =>
        new HonoChallengeResponder({
          host: config.host,
          port: acme.acmePort,
          domains: acme.domains,
          httpsPort: config.port,
          health: () => health.current(),
        }),
    ),
  });
  c.register(CHALLENGE_RESPONDER, { useFactory: (r) => r.resolve(HonoChallengeResponder) });
  c.register(ACME_HTTP_ENDPOINT, { useFactory: (r) => r.resolve(HonoChallengeResponder) });
  c.register(CERTIFICATE_INSTALLER, { useFactory: (r) => r.resolve(HttpMcpTransport) });
  c.registerSingleton(ObtainCertificate);
  c.register(RANDOM, { useValue: Math.random });
  c.registerSingleton(RenewalScheduler);
}
