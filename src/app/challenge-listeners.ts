import type { DependencyContainer } from 'tsyringe';
import { LOGGER, type Logger } from '../ports/logger.js';
import type { AppConfig } from './config.js';
import { ACME_HTTP_ENDPOINT, type AcmeHttpEndpoint, TLS_FRONT_DOOR, type TlsFrontDoor } from './container.js';
import { explainListenError } from './startup-error.js';

export interface ChallengeListeners {
  /** The HTTP-01 responder on the ACME port; started only when HTTP-01 is among the challenges. */
  readonly responder?: AcmeHttpEndpoint;
  /** The responder's URL, when it was started. */
  readonly acmeUrl?: string;
  /** Stops every listener that was started, even when one fails to stop; then throws the first failure. */
  stop(): Promise<void>;
}

/**
 * Starts what the configured challenges need before an order: HTTP-01 needs the ACME port,
 * TLS-ALPN-01 the front door on the HTTPS port (and nothing on port 80). Used by the server and
 * by `certdocs cert renew`; a port that cannot be bound is a StartupError naming its flag.
 */
export async function startChallengeListeners(
  container: DependencyContainer,
  config: AppConfig,
): Promise<ChallengeListeners> {
  const logger = container.resolve<Logger>(LOGGER);
  const responder = config.acme?.challenges.includes('http-01')
    ? container.resolve<AcmeHttpEndpoint>(ACME_HTTP_ENDPOINT)
    : undefined;
  const acme = await responder?.start().catch((e: unknown) => {
    throw explainListenError(e, '--acme-port (ACME_PORT)', config.acme?.acmePort ?? 0, config.host);
  });
  if (acme) logger.info('HTTP-01 responder listening', { url: acme.url });

  const frontDoor = container.isRegistered(TLS_FRONT_DOOR, true)
    ? container.resolve<TlsFrontDoor>(TLS_FRONT_DOOR)
    : undefined;
  if (frontDoor) {
    try {
      await frontDoor.start();
    } catch (e) {
      await responder?.stop().catch(() => undefined);
      throw explainListenError(e, '--port (PORT)', config.port, config.host);
    }
    logger.info('TLS-ALPN-01 responder listening on the HTTPS port', { port: config.port });
  }

  return {
    responder,
    acmeUrl: acme?.url,
    stop: async () => {
      const results = await Promise.allSettled([responder?.stop(), frontDoor?.stop()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
