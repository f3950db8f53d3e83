import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * The only reader of argv and the environment. Flags win over env vars; every problem is reported
 * at once, one line each, naming the flag and its env var.
 */

export type DocsLocation =
  | { kind: 'dir'; location: string }
  | { kind: 'hugo-file'; location: string }
  | { kind: 'hugo-url'; location: string };

export interface AcmeConfig {
  readonly domains: string[];
  readonly email?: string;
  readonly directoryUrl: string;
  readonly acmePort: number;
  readonly certsDir: string;
  readonly acceptTos: boolean;
  readonly profile?: string;
  readonly eab?: { readonly kid: string; readonly hmacKey: string };
  readonly challenges: readonly ChallengeType[];
}

export type ChallengeType = 'http-01' | 'tls-alpn-01';

export interface AppConfig {
  readonly docs: DocsLocation;
  readonly transport: 'http' | 'stdio';
  readonly host?: string;
  readonly port: number;
  readonly allowedHosts: string[];
  readonly allowedOrigins: string[];
  readonly maxBodyBytes: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Re-fetch interval for URL sources, ms (0: never). */
  readonly refreshIntervalMs: number;
  /** Where the built index is kept between runs (absolute), or undefined: rebuilt every start. */
  readonly indexCache?: string;
  readonly acme?: AcmeConfig;
}

export const ACME_DIRECTORIES: Record<string, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

interface OptionSpec {
  readonly env: string;
  readonly type: 'string' | 'boolean';
  readonly help: string;
  readonly default?: string;
}

export const OPTIONS = {
  docs: {
    env: 'DOCS_SOURCE',
    type: 'string',
    help: 'Markdown folder, Hugo index.json file, or its http(s) URL',
  },
  port: { env: 'PORT', type: 'string', help: 'Port for MCP (8080; 443 with --domain)' },
  host: { env: 'HOST', type: 'string', help: 'Address to bind (all interfaces)' },
  transport: { env: 'MCP_TRANSPORT', type: 'string', help: 'http or stdio', default: 'http' },
  'allowed-origins': {
    env: 'ALLOWED_ORIGINS',
    type: 'string',
    help: 'Extra browser origins allowed, comma-separated',
  },
  'allowed-hosts': {
    env: 'ALLOWED_HOSTS',
    type: 'string',
    help: 'Extra Host names allowed, comma-separated',
  },
  'refresh-interval': {
    env: 'REFRESH_INTERVAL',
    type: 'string',
    help: 'Re-fetch a URL source this often: seconds, or 30s, 5m, 1h; 0 = never (folders and files are watched)',
    default: '5m',
  },
  'index-cache': {
    env: 'INDEX_CACHE',
    type: 'string',
    help: 'Directory to keep the built index in, so a restart over unchanged docs skips indexing',
  },
  'max-body-bytes': {
    env: 'MAX_BODY_BYTES',
    type: 'string',
    help: 'Largest request body accepted',
    default: '1048576',
  },
  'log-level': {
    env: 'LOG_LEVEL',
    type: 'string',
    help: 'debug, info, warn, error or silent',
    default: 'info',
  },
  domain: { env: 'DOMAIN', type: 'string', help: 'Domain(s) to get a certificate for, comma-separated' },
  email: { env: 'ACME_EMAIL', type: 'string', help: 'Contact e-mail for the ACME account' },
  'acme-directory': {
    env: 'ACME_DIRECTORY',
    type: 'string',
    help: 'letsencrypt, letsencrypt-staging or a directory URL',
    default: 'letsencrypt',
  },
  'acme-port': {
    env: 'ACME_PORT',
    type: 'string',
    help: 'Port HTTP-01 challenges are answered on',
    default: '80',
  },
  'certs-dir': {
    env: 'CERTS_DIR',
    type: 'string',
    help: 'Where certificates and the account are kept',
    default: './certs',
  },
  'accept-tos': { env: 'ACME_ACCEPT_TOS', type: 'boolean', help: "Agree to the CA's terms of service" },
  'acme-profile': {
    env: 'ACME_PROFILE',
    type: 'string',
    help: "Certificate profile from the CA's directory (e.g. tlsserver, shortlived)",
  },
  'eab-kid': {
    env: 'ACME_EAB_KID',
    type: 'string',
    help: 'External account binding key id (ZeroSSL, Google)',
  },
  'eab-hmac-key': {
    env: 'ACME_EAB_HMAC_KEY',
    type: 'string',
    help: 'External account binding HMAC key (base64url)',
  },
  challenge: {
    env: 'ACME_CHALLENGE',
    type: 'string',
    help: 'http-01, tls-alpn-01, or both comma-separated',
    default: 'http-01',
  },
  force: { env: '', type: 'boolean', help: 'With `cert renew`: renew even when not due' },
  help: { env: '', type: 'boolean', help: 'Show this help' },
  version: { env: '', type: 'boolean', help: 'Show the version' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

export type ParseOutcome =
  | { ok: true; config: AppConfig }
  | { ok: false; errors: string[] }
  | { ok: 'help' }
  | { ok: 'version' };

/**
 * Port 0 asks the OS for a free port (tests, side-by-side instances); the ACME port must be real.
 * (Checked by hand, not with zod: importing zod here put ~40 ms on every start-up's critical path,
 * and these are the only two checks that needed it.)
 */
function checkPort(value: string, min: 0 | 1): { port: number } | { problem: string } {
  const v = value.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(v)) return { problem: 'must be a number' };
  const n = Number(v);
  if (!Number.isInteger(n)) return { problem: 'must be a whole number' };
  if (n < min || n > 65535) return { problem: `must be from ${min} to 65535` };
  return { port: n };
}

/** The practical shape of an address (RFC 5322 in full is not what a CA checks either). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off|)$/i;

export function bundledDocsDir(): string {
  // dist/app/config.js and src/app/config.ts both sit two levels below the package root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ParseOutcome {
  const errors: string[] = [];
  const { values, tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, { type: v.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const t of tokens ?? []) {
    if (t.kind === 'option' && !(t.name in OPTIONS)) errors.push(`${t.rawName}: unknown option (see --help)`);
    if (t.kind === 'positional') errors.push(`"${t.value}": unexpected argument (see --help)`);
    if (t.kind === 'option' && t.name in OPTIONS) {
      const spec = OPTIONS[t.name as OptionName];
      if (spec.type === 'string' && t.value === undefined) errors.push(`${t.rawName}: needs a value`);
      if (spec.type === 'boolean' && t.inlineValue) errors.push(`${t.rawName}: takes no value`);
    }
  }
  if (values.help) return { ok: 'help' };
  if (values.version) return { ok: 'version' };

  const label = (name: OptionName) => (OPTIONS[name].env ? `--${name} (${OPTIONS[name].env})` : `--${name}`);
  const raw = (name: OptionName): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    if (v === true) return 'true';
    const fromEnv = OPTIONS[name].env ? env[OPTIONS[name].env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    return 'default' in OPTIONS[name] ? (OPTIONS[name] as OptionSpec).default : undefined;
  };
  const list = (name: OptionName) =>
    (raw(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const bool = (name: OptionName): boolean => {
    const v = raw(name);
    if (v === undefined || FALSE.test(v)) return false;
    if (TRUE.test(v)) return true;
    errors.push(`${label(name)}: must be true or false, got "${v}"`);
    return false;
  };
  const port = (name: OptionName, fallback: number, min: 0 | 1): number => {
    const v = raw(name);
    if (v === undefined) return fallback;
    const checked = checkPort(v, min);
    if ('port' in checked) return checked.port;
    errors.push(`${label(name)}: ${checked.problem}, got "${v}"`);
    return fallback;
  };

  const transport = raw('transport');
  if (transport !== 'http' && transport !== 'stdio')
    errors.push(`${label('transport')}: must be http or stdio, got "${transport}"`);

  const logLevel = raw('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    errors.push(`${label('log-level')}: must be debug, info, warn, error or silent, got "${logLevel}"`);
  }

  const docs = resolveDocs(raw('docs'), label('docs'), errors);

  const domains = list('domain').map((d) => d.toLowerCase());
  for (const d of domains) {
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d)) {
      errors.push(`${label('domain')}: "${d}" is not a valid domain name`);
    }
    if (d.startsWith('*.'))
      errors.push(`${label('domain')}: "${d}": wildcards need DNS-01, which certdocs does not do`);
  }
  const port443 = domains.length > 0;
  const mainPort = port('port', port443 ? 443 : 8080, 0);
  const host = raw('host');
  const maxBody = Number(raw('max-body-bytes'));
  if (!Number.isInteger(maxBody) || maxBody < 1024) {
    errors.push(
      `${label('max-body-bytes')}: must be a whole number of at least 1024, got "${raw('max-body-bytes')}"`,
    );
  }

  const refreshRaw = raw('refresh-interval') ?? '5m';
  const refreshMatch = /^(\d+)(ms|s|m|h)?$/.exec(refreshRaw.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const refreshIntervalMs = refreshMatch
    ? Number(refreshMatch[1]) * unit[(refreshMatch[2] as keyof typeof unit | undefined) ?? 's']
    : Number.NaN;
  if (Number.isNaN(refreshIntervalMs) || (refreshIntervalMs > 0 && refreshIntervalMs < 1000)) {
    errors.push(
      `${label('refresh-interval')}: must be 0 or a duration of at least 1s (e.g. 300, 30s, 5m, 1h), got "${refreshRaw}"`,
    );
  }

  const indexCacheRaw = raw('index-cache');
  let indexCache: string | undefined;
  if (indexCacheRaw !== undefined) {
    if (!indexCacheRaw.trim())
      errors.push(`${label('index-cache')}: must be a directory path, got an empty value`);
    else indexCache = resolve(indexCacheRaw);
  }

  let acme: AcmeConfig | undefined;
  if (domains.length) {
    if (transport === 'stdio')
      errors.push(`${label('domain')}: certificates are for HTTPS; not allowed with --transport stdio`);
    const dirName = raw('acme-directory') ?? 'letsencrypt';
    const directoryUrl = ACME_DIRECTORIES[dirName] ?? dirName;
    if (!/^https?:\/\//.test(directoryUrl)) {
      errors.push(
        `${label('acme-directory')}: must be letsencrypt, letsencrypt-staging or an http(s) URL, got "${dirName}"`,
      );
    }
    const email = raw('email');
    if (email !== undefined && !EMAIL.test(email)) {
      errors.push(`${label('email')}: "${email}" is not an e-mail address`);
    }
    const acmePort = port('acme-port', 80, 1);
    if (acmePort === mainPort) errors.push(`${label('acme-port')}: must differ from --port (${mainPort})`);
    const eabKid = raw('eab-kid');
    const eabKey = raw('eab-hmac-key');
    if ((eabKid === undefined) !== (eabKey === undefined)) {
      errors.push(`${label('eab-kid')} and ${label('eab-hmac-key')}: give both or neither`);
    }
    if (eabKey !== undefined && !/^[A-Za-z0-9_=+/-]+$/.test(eabKey)) {
      errors.push(`${label('eab-hmac-key')}: must be base64url, as the CA shows it`);
    }
    const challenges = list('challenge');
    for (const ch of challenges) {
      if (ch !== 'http-01' && ch !== 'tls-alpn-01') {
        errors.push(`${label('challenge')}: must be http-01, tls-alpn-01 or both, got "${ch}"`);
      }
    }
    acme = {
      domains,
      email,
      directoryUrl,
      acmePort,
      certsDir: resolve(raw('certs-dir') ?? './certs'),
      acceptTos: bool('accept-tos'),
      profile: raw('acme-profile'),
      eab:
        eabKid && eabKey
          ? { kid: eabKid, hmacKey: eabKey.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_') }
          : undefined,
      challenges: (challenges.length ? challenges : ['http-01']) as ChallengeType[],
    };
  }

  const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'];
  const wildcard = !host || host === '0.0.0.0' || host === '::';
  const allowedHosts = [
    ...new Set([
      ...loopbackHosts,
      ...(wildcard ? [] : [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]),
      ...domains,
      ...list('allowed-hosts').map((h) => h.toLowerCase()),
    ]),
  ];

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      docs: docs as DocsLocation,
      transport: transport as 'http' | 'stdio',
      host: wildcard ? undefined : host,
      port: mainPort,
      allowedHosts,
      allowedOrigins: list('allowed-origins'),
      maxBodyBytes: maxBody,
      logLevel: logLevel as AppConfig['logLevel'],
      refreshIntervalMs,
      ...(indexCache ? { indexCache } : {}),
      acme,
    },
  };
}

function resolveDocs(value: string | undefined, label: string, errors: string[]): DocsLocation | undefined {
  if (value === undefined) return { kind: 'dir', location: bundledDocsDir() };
  if (/^https?:\/\//i.test(value)) {
    try {
      new URL(value);
      return { kind: 'hugo-url', location: value };
    } catch {
      errors.push(`${label}: "${value}" is not a valid URL`);
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    errors.push(`${label}: only http(s) URLs are supported, got "${value}"`);
    return undefined;
  }
  const location = resolve(value);
  if (!existsSync(location)) {
    errors.push(`${label}: no such file or directory: ${value}`);
    return undefined;
  }
  const s = statSync(location);
  if (s.isDirectory()) return { kind: 'dir', location };
  if (!s.isFile()) {
    errors.push(`${label}: ${value} is neither a directory nor a file`);
    return undefined;
  }
  if (!/\.json$/i.test(location)) {
    errors.push(
      `${label}: ${value} is a file but not a Hugo index (.json); point at the folder for Markdown files`,
    );
    return undefined;
  }
  return { kind: 'hugo-file', location };
}

export function helpText(version: string): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    const env = spec.env ? ` [${spec.env}]` : '';
    const def = 'default' in spec ? ` (default: ${spec.default})` : '';
    return `  ${flag.padEnd(28)} ${spec.help}${env}${def}`;
  });
  return `certdocs ${version}: serve a documentation corpus to AI assistants over MCP, with its own HTTPS certificate.

Usage: certdocs [options]
       certdocs cert status|renew [--force] --domain NAME [options]   (see certdocs cert --help)

Options (flags win over the environment variables in brackets):
${rows.join('\n')}
`;
}
