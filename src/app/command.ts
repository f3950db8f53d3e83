import { type AppConfig, parseConfig } from './config.js';
import type { AcmeConfig } from './config-types.js';
import { flagLabel } from './options.js';

export type CertAction = 'status' | 'renew';

/** What the command line asks for, parsed once: nothing downstream looks at argv again. */
export type Command =
  | { readonly kind: 'serve'; readonly config: AppConfig }
  | {
      readonly kind: 'cert';
      readonly action: CertAction;
      /** `cert renew --force`: renew even when not due. */
      readonly force: boolean;
      readonly config: AppConfig & { readonly acme: AcmeConfig };
    }
  | { readonly kind: 'help'; readonly of: 'serve' | 'cert' }
  | { readonly kind: 'version' }
  | { readonly kind: 'token-new' }
  | { readonly kind: 'invalid'; readonly errors: readonly string[]; readonly showCertUsage?: boolean };

/** `certdocs [options]` or `certdocs cert status|renew [--force] [options]`. */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  if (argv[0] === 'cert') return parseCertCommand(argv.slice(1), env);
  if (argv[0] === 'token') {
    if (argv[1] === 'new' && argv.length === 2) return { kind: 'token-new' };
    return { kind: 'invalid', errors: ['usage: certdocs token new'] };
  }
  const parsed = parseConfig([...argv], env);
  if (parsed.ok === 'help') return { kind: 'help', of: 'serve' };
  if (parsed.ok === 'version') return { kind: 'version' };
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  if (parsed.force)
    return { kind: 'invalid', errors: ['--force: only meaningful with `certdocs cert renew`'] };
  return { kind: 'serve', config: parsed.config };
}

function parseCertCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [action, ...rest] = argv;
  if (action === undefined) return { kind: 'help', of: 'cert' };
  if (action !== 'status' && action !== 'renew') {
    return { kind: 'invalid', errors: [`unknown cert command "${action}"`], showCertUsage: true };
  }
  // The CLI's own lines are the output here; the library's info logs would only repeat them.
  const parsed = parseConfig(rest, { LOG_LEVEL: 'warn', ...env });
  if (parsed.ok === 'help' || parsed.ok === 'version') return { kind: 'help', of: 'cert' };
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const { config } = parsed;
  if (!config.acme) {
    return {
      kind: 'invalid',
      errors: [`${flagLabel('domain')}: required for cert commands (names the certificate)`],
    };
  }
  return { kind: 'cert', action, force: parsed.force, config: { ...config, acme: config.acme } };
}
