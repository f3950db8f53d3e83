import type { AppConfig } from '../../src/app/config.js';
import { type ComposeOptions, composeServer } from '../../src/app/container.js';

/** A started server as in-process tests use it: where it listens, and how to stop it. */
export interface RunningApp {
  readonly url?: string;
  readonly acmeUrl?: string;
  readonly renewNow?: () => Promise<void>;
  stop(): Promise<void>;
}

/** Composes the server as main does (fakes through `override`) and starts it. */
export async function startServer(config: AppConfig, options?: ComposeOptions): Promise<RunningApp> {
  const app = composeServer(config, options);
  const where = await app.start();
  return { ...where, renewNow: app.renewNow, stop: () => app.stop() };
}
