import { AccessSettingError } from '../domain/access-errors.js';
import { AcmeError, type AcmeSetting, AcmeSettingError } from '../domain/acme-errors.js';
import { DocSourceError, StoreKeyError } from '../domain/errors.js';
import { flagLabel, type OptionName } from './options.js';

/** A start-up problem the user fixes by changing config; printed as one line naming the option. */
export class StartupError extends Error {}

/** A listener of the application could not bind; `setting` says which configured port it was. */
export class ListenError extends Error {
  constructor(
    readonly setting: 'port' | 'acmePort' | 'metricsPort',
    readonly port: number,
    readonly host: string | undefined,
    readonly reason: unknown,
  ) {
    super(`cannot listen on ${port}`);
  }
}

/**
 * A port that is taken or privileged is a configuration problem: the message names the flag to
 * change (`flag` as in "--port (PORT)"), not a stack trace.
 */
export function explainListenError(e: unknown, flag: string, port: number, host?: string): StartupError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`${flag}: ${port} is already in use by another process`);
  if (code === 'EACCES') {
    const hint = port > 0 && port < 1024 ? '; ports below 1024 need root or CAP_NET_BIND_SERVICE' : '';
    return new StartupError(`${flag}: not allowed to listen on ${port}${hint}`);
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(`${flagLabel('host')}: ${host ?? 'the host'} is not an address of this machine`);
  }
  const reason = code ?? (e instanceof Error ? e.message : String(e));
  return new StartupError(`${flag}: cannot listen on ${port}: ${reason}`);
}

/** The option an operator changes for each ACME setting the domain can complain about. */
const ACME_SETTING_HINT: Record<AcmeSetting, string> = {
  terms: `pass ${flagLabel('accept-tos').replace(')', '=true)')} to agree`,
  profile: flagLabel('acme-profile'),
  eab: `set ${flagLabel('eab-kid')} and ${flagLabel('eab-hmac-key')}`,
  challenges: flagLabel('challenge'),
  directory: flagLabel('acme-directory'),
};

const LISTENER_FLAG: Record<ListenError['setting'], OptionName> = {
  port: 'port',
  acmePort: 'acme-port',
  metricsPort: 'metrics-port',
};

/**
 * Translates what stopped the start into the one line the operator reads, in flags and environment
 * variables: the domain and the composition root speak of settings, only the CLI knows the flags.
 * Undefined for anything unexpected (a bug, printed with its stack by the caller).
 */
export function explainStartupFailure(e: unknown): StartupError | undefined {
  if (e instanceof StartupError) return e;
  if (e instanceof ListenError)
    return explainListenError(e.reason, flagLabel(LISTENER_FLAG[e.setting]), e.port, e.host);
  if (e instanceof DocSourceError) return new StartupError(`${flagLabel('docs')}: ${e.message}`);
  if (e instanceof AcmeSettingError)
    return new StartupError(`${e.code}: ${e.message}: ${ACME_SETTING_HINT[e.setting]}`);
  if (e instanceof AccessSettingError)
    return new StartupError(
      `${flagLabel(e.setting === 'tokensFile' ? 'auth-tokens-file' : 'oauth-issuer')}: ${e.message}`,
    );
  if (e instanceof StoreKeyError)
    return new StartupError(
      `${flagLabel('store-key')}: ${e.message}; give the key the other replicas use (nothing was re-ordered)`,
    );
  if (e instanceof AcmeError && !e.retryable) return new StartupError(`${e.code}: ${e.message}`);
  return undefined;
}
