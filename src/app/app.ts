import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { AcmeError } from '../domain/acme-errors.js';
import { DocSourceError } from '../domain/errors.js';
import { KeepDocsFresh } from '../domain/keep-docs-fresh.js';
import { ObtainCertificate } from '../domain/obtain-certificate.js';
import { RenewalScheduler } from '../domain/renewal-scheduler.js';
import { ServeDocs } from '../domain/serve-docs.js';
import { CERTIFICATE_INSTALLER, type CertificateInstaller } from '../ports/certificate-installer.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { MCP_TRANSPORT, type McpTransport } from '../ports/mcp-transport.js';
import { startChallengeListeners } from './challenge-listeners.js';
import type { AppConfig } from './config.js';
import { BOUND_PORT, type BoundPort, buildContainer, HEALTH_EXTRAS, type HealthExtras } from './container.js';
import { writePidFile } from './pid-file.js';
import { explainListenError, StartupError } from './startup-error.js';
import { stopAll } from './stop-all.js';

export interface RunningApp {
  /** Where MCP is served; undefined for stdio. */
  readonly url?: string;
  /** The HTTP-01 responder's URL, when a domain is configured. */
  readonly acmeUrl?: string;
  readonly container: DependencyContainer;
  /** Renews the certificate now (SIGHUP, `certdocs cert renew`); absent without a domain. */
  readonly renewNow?: () => Promise<void>;
  stop(): Promise<void>;
}

export { StartupError } from './startup-error.js';

/**
 * Starts certdocs. Without a domain: index the docs, serve MCP over plain HTTP (or stdio).
 * With a domain: the HTTP-01 responder comes up first, the docs are indexed while the certificate
 * is obtained, and MCP is served only over HTTPS, never over plain HTTP as a fallback. The MCP SDK
 * loads in the background once the server listens; MCP requests wait for it.
 */
export async function startApp(config: AppConfig, container = buildContainer(config)): Promise<RunningApp> {
  const logger = container.resolve<Logger>(LOGGER);
  const docs = container.resolve(ServeDocs);
  const loadDocs = docs.load().catch((e) => {
    if (e instanceof DocSourceError) throw new StartupError(`--docs (DOCS_SOURCE): ${e.message}`);
    throw e;
  });

  if (!config.acme) {
    const transport = container.resolve<McpTransport>(MCP_TRANSPORT);
    await loadDocs;
    const { url } = await listenOrExplain(transport, config);
    const fresh = container.resolve(KeepDocsFresh);
    fresh.start(() => transport.notifyResourcesChanged());
    return {
      url,
      container,
      stop: () =>
        stopAll(logger, [
          ['doc refresh', () => fresh.stop()],
          ['MCP transport', () => transport.stop()],
          ['index save', () => docs.close()],
        ]),
    };
  }

  const listeners = await startChallengeListeners(container, config);
  const abort = new AbortController();
  const obtain = container.resolve(ObtainCertificate);
  const scheduler = container.resolve(RenewalScheduler);
  const health = container.resolve<HealthExtras>(HEALTH_EXTRAS);
  health.current = () => ({ certificate: scheduler.status() ?? null });

  let cert: Awaited<ReturnType<ObtainCertificate['ensure']>>;
  try {
    [, cert] = await Promise.all([loadDocs, obtain.ensure(abort.signal)]);
  } catch (e) {
    abort.abort();
    await listeners
      .stop()
      .catch((stopError: Error) =>
        logger.warn('could not stop the challenge listeners', { error: stopError.message }),
      );
    if (e instanceof AcmeError && !e.retryable) throw new StartupError(`${e.code}: ${e.message}`);
    throw e;
  }
  // Only now does the MCP SDK start loading (in the background): it costs ~0.1 s of CPU that would
  // otherwise delay the ACME exchange; /mcp requests wait for it, /healthz does not.
  const transport = container.resolve<McpTransport>(MCP_TRANSPORT);
  container.resolve<CertificateInstaller>(CERTIFICATE_INSTALLER).install(cert.cert);
  const { url } = await listenOrExplain(transport, config);
  const bound = container.resolve<BoundPort>(BOUND_PORT).current();
  if (bound !== undefined) listeners.responder?.setHttpsPort(bound);
  listeners.responder?.setReady(true);
  void scheduler.start(cert);
  const fresh = container.resolve(KeepDocsFresh);
  fresh.start(() => transport.notifyResourcesChanged());
  const removePidFile = writePidFile(config.acme.certsDir);
  return {
    url,
    acmeUrl: listeners.acmeUrl,
    container,
    renewNow: async () => {
      await scheduler
        .renewNow()
        .catch((e: Error) => logger.error('forced renewal failed', { error: e.message }));
    },
    stop: () =>
      stopAll(logger, [
        ['certificate orders', () => abort.abort()],
        ['renewal scheduler', () => scheduler.stop()],
        ['doc refresh', () => fresh.stop()],
        ['MCP transport', () => transport.stop()],
        ['challenge listeners', () => listeners.stop()],
        ['pid file', () => removePidFile()],
        // An index waiting to be saved for the next start is saved now, not dropped.
        ['index save', () => docs.close()],
      ]),
  };
}

/** A port that is taken or privileged is a configuration problem: say which flag, not a stack trace. */
async function listenOrExplain(transport: McpTransport, config: AppConfig): Promise<{ url?: string }> {
  try {
    return await transport.start();
  } catch (e) {
    if (config.transport === 'stdio') throw e; // no port involved
    throw explainListenError(e, '--port (PORT)', config.port, config.host);
  }
}
