import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChallengeType, ExternalAccountBinding } from '../domain/certificate.js';
import { type DomainName, type DomainNames, parseDomainName } from '../domain/domain-name.js';
import type { FreshnessSettings, ObtainSettings } from '../ports/settings.js';
import {
  type Duration,
  type Port,
  parseDuration,
  parsePort,
  parseRateLimit,
  type RateLimit,
} from './config-values.js';
import { flagLabel, OPTIONS, type OptionName, type OptionSpec } from './options.js';

/**
 * The only reader of argv and the environment. Flags win over env vars; every problem is reported
 * at once, one line each, naming the flag and its env var.
 */

export type DocsLocation =
  | { kind: 'dir'; location: string }
  | { kind: 'hugo-file'; location: string }
  | { kind: 'hugo-url'; location: string };

export interface AcmeConfig {
  readonly domains: DomainNames;
  readonly email?: string;
  readonly directoryUrl: string;
  readonly acmePort: Port;
  readonly certsDir: string;
  readonly acceptTos: boolean;
  readonly profile?: string;
  readonly eab?: ExternalAccountBinding;
  readonly challenges: readonly [ChallengeType, ...ChallengeType[]];
  /** Absent: `{ kind: 'fs' }` in `certsDir`, as before part 7. */
  readonly store?: StoreConfig;
}

/**
 * Where the certificate, its key and the ACME account live: files in `--certs-dir` (one replica),
 * or Redis, shared by every replica, with private keys encrypted when a store key is given.
 */
export type StoreConfig =
  | { readonly kind: 'fs' }
  | {
      readonly kind: 'redis';
      /** redis:// or rediss://; may carry a password, so it is never logged or echoed. */
      readonly url: string;
      /** 32 bytes for AES-256-GCM, or undefined: keys are stored in the clear. */
      readonly key?: Uint8Array;
    };

/**
 * Where GET /metrics is served: on the MCP listener (behind its Origin/Host guard, HTTPS with a
 * domain), on a plain-HTTP port of its own, or nowhere (nothing is recorded then).
 */
export type MetricsEndpoint =
  | { readonly on: 'main' }
  | { readonly on: 'own-port'; readonly port: Port }
  | { readonly on: 'off' };

/** Who may use the MCP and search routes (part 9). */
export type AuthConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'token'; readonly tokensFile: string }
  | {
      readonly mode: 'oauth';
      readonly issuer: string;
      /** The resource identifier tokens must be issued for (RFC 8707). */
      readonly audience: string;
      readonly scopes: readonly string[];
      readonly client?: { readonly id: string; readonly secret: string };
    };

export interface AppConfig {
  readonly docs: DocsLocation;
  readonly transport: 'http' | 'stdio';
  readonly host?: string;
  readonly port: Port;
  readonly allowedHosts: string[];
  readonly allowedOrigins: string[];
  readonly maxBodyBytes: number;
  /** Connections open at once on each listening port. */
  readonly maxConnections: number;
  /** Per client address on the MCP routes and /api/search; undefined: no limit. */
  readonly rateLimit?: RateLimit;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** auto: pretty when stderr is a terminal (decided where the logger is made), else JSON lines. */
  readonly logFormat?: 'json' | 'pretty' | 'auto';
  /** Re-fetch interval for URL sources (0: never). */
  readonly refreshInterval: Duration;
  /** Where the built index is kept between runs (absolute), or undefined: rebuilt every start. */
  readonly indexCache?: string;
  readonly acme?: AcmeConfig;
  /** Absent: on the MCP listener, as by default. */
  readonly metrics?: MetricsEndpoint;
  /** Absent: `{ mode: 'none' }`. */
  readonly auth?: AuthConfig;
  /** With auth on: keep counts and certificate details on /healthz. */
  readonly healthDetails?: boolean;
}

export const ACME_DIRECTORIES: Record<string, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

export type ParseOutcome =
  | { ok: true; config: AppConfig; force: boolean }
  | { ok: false; errors: string[] }
  | { ok: 'help' }
  | { ok: 'version' };

/** The practical shape of an address (RFC 5322 in full is not what a CA checks either). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off|)$/i;

/** What ObtainCertificate is configured with: the ACME part of the configuration, as the port wants it. */
export function obtainSettings(acme: AcmeConfig): ObtainSettings {
  const { domains, challenges, directoryUrl, email, acceptTos, profile, eab } = acme;
  return { domains, challenges, directoryUrl, email, acceptTos, profile, eab };
}

export function freshnessSettings(config: AppConfig): FreshnessSettings {
  return { refreshIntervalMs: config.refreshInterval };
}

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

  const label = flagLabel;
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
  const port = (name: OptionName, fallback: number, min: 0 | 1): Port => {
    const v = raw(name);
    if (v === undefined) return fallback as Port;
    const checked = parsePort(v, min);
    if ('value' in checked) return checked.value;
    errors.push(`${label(name)}: ${checked.problem}, got "${v}"`);
    return fallback as Port;
  };

  const transport = raw('transport');
  if (transport !== 'http' && transport !== 'stdio')
    errors.push(`${label('transport')}: must be http or stdio, got "${transport}"`);

  const logFormat = raw('log-format') ?? 'auto';
  if (logFormat !== 'json' && logFormat !== 'pretty' && logFormat !== 'auto') {
    errors.push(`${label('log-format')}: must be json, pretty or auto, got "${logFormat}"`);
  }
  const logLevel = raw('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    errors.push(`${label('log-level')}: must be debug, info, warn, error or silent, got "${logLevel}"`);
  }

  const docs = resolveDocs(raw('docs'), label('docs'), errors);

  const domains: DomainName[] = [];
  for (const text of list('domain')) {
    const d = parseDomainName(text);
    if (d === 'invalid')
      errors.push(`${label('domain')}: "${text.toLowerCase()}" is not a valid domain name`);
    else if (d === 'wildcard')
      errors.push(
        `${label('domain')}: "${text.toLowerCase()}": wildcards need DNS-01, which certdocs does not do`,
      );
    else if (!domains.includes(d)) domains.push(d);
  }
  const port443 = list('domain').length > 0;
  const mainPort = port('port', port443 ? 443 : 8080, 0);
  const host = raw('host');
  const maxBody = Number(raw('max-body-bytes'));
  if (!Number.isInteger(maxBody) || maxBody < 1024) {
    errors.push(
      `${label('max-body-bytes')}: must be a whole number of at least 1024, got "${raw('max-body-bytes')}"`,
    );
  }

  const maxConnectionsRaw = raw('max-connections') ?? '1024';
  const maxConnections = /^\d+$/.test(maxConnectionsRaw.trim()) ? Number(maxConnectionsRaw) : 0;
  if (maxConnections < 1) {
    errors.push(
      `${label('max-connections')}: must be a whole number of at least 1, got "${maxConnectionsRaw}"`,
    );
  }

  const rateLimitRaw = raw('rate-limit');
  let rateLimit: RateLimit | undefined;
  if (rateLimitRaw !== undefined && rateLimitRaw.trim().toLowerCase() !== 'off') {
    const checked = parseRateLimit(rateLimitRaw);
    if ('value' in checked) rateLimit = checked.value;
    else errors.push(`${label('rate-limit')}: ${checked.problem}, got "${rateLimitRaw}"`);
  }

  const refreshRaw = raw('refresh-interval') ?? '5m';
  const refresh = parseDuration(refreshRaw);
  const refreshInterval = 'value' in refresh ? refresh.value : (0 as Duration);
  if (!('value' in refresh) || (refreshInterval > 0 && refreshInterval < 1000)) {
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

  const metrics = metricsEndpoint(raw('metrics-port'), transport, label('metrics-port'), errors);
  if (metrics.on === 'own-port' && metrics.port === mainPort && transport !== 'stdio')
    errors.push(`${label('metrics-port')}: must differ from --port (${mainPort})`);

  let acme: AcmeConfig | undefined;
  const [firstDomain, ...moreDomains] = domains;
  if (firstDomain) {
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
    if (metrics.on === 'own-port' && metrics.port === acmePort)
      errors.push(`${label('metrics-port')}: must differ from --acme-port (${acmePort})`);
    const eabKid = raw('eab-kid');
    const eabKey = raw('eab-hmac-key');
    if ((eabKid === undefined) !== (eabKey === undefined)) {
      errors.push(`${label('eab-kid')} and ${label('eab-hmac-key')}: give both or neither`);
    }
    if (eabKey !== undefined && !/^[A-Za-z0-9_=+/-]+$/.test(eabKey)) {
      errors.push(`${label('eab-hmac-key')}: must be base64url, as the CA shows it`);
    }
    const challenges: ChallengeType[] = [];
    for (const ch of list('challenge')) {
      if (ch !== 'http-01' && ch !== 'tls-alpn-01') {
        errors.push(`${label('challenge')}: must be http-01, tls-alpn-01 or both, got "${ch}"`);
      } else if (!challenges.includes(ch)) challenges.push(ch);
    }
    const [firstChallenge = 'http-01', ...moreChallenges] = challenges;
    const store = parseStore(raw, label, errors);
    acme = {
      domains: [firstDomain, ...moreDomains],
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
      challenges: [firstChallenge, ...moreChallenges],
      ...(store.kind === 'fs' ? {} : { store }),
    };
  } else {
    for (const n of ['redis-url', 'store-key'] as const)
      if (raw(n) !== undefined) errors.push(`${label(n)}: only with --domain (it stores the certificate)`);
    if (raw('store') !== 'fs')
      errors.push(`${label('store')}: only with --domain (it stores the certificate)`);
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

  const auth = parseAuth(raw, list, label, errors, { domains, stdio: transport === 'stdio' });
  const healthDetails = bool('health-details');

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    force: values.force === true,
    config: {
      docs: docs as DocsLocation,
      transport: transport as 'http' | 'stdio',
      host: wildcard ? undefined : host,
      port: mainPort,
      allowedHosts,
      allowedOrigins: list('allowed-origins'),
      maxBodyBytes: maxBody,
      maxConnections,
      ...(rateLimit ? { rateLimit } : {}),
      logLevel: logLevel as AppConfig['logLevel'],
      logFormat: logFormat as AppConfig['logFormat'],
      refreshInterval,
      ...(indexCache ? { indexCache } : {}),
      acme,
      metrics,
      auth,
      healthDetails,
    },
  };
}

/**
 * `--store`, `--redis-url`, `--store-key`. The URL and the key are secrets: a problem with them is
 * described, never echoed.
 */
function parseStore(
  raw: (name: OptionName) => string | undefined,
  label: (name: OptionName) => string,
  errors: string[],
): StoreConfig {
  const kind = raw('store') ?? 'fs';
  const url = raw('redis-url');
  const keyText = raw('store-key');
  if (kind !== 'fs' && kind !== 'redis') {
    errors.push(`${label('store')}: must be fs or redis, got "${kind}"`);
    return { kind: 'fs' };
  }
  if (kind === 'fs') {
    if (url !== undefined) errors.push(`${label('redis-url')}: only with --store redis`);
    if (keyText !== undefined) errors.push(`${label('store-key')}: only with --store redis`);
    return { kind: 'fs' };
  }
  if (url === undefined) errors.push(`${label('redis-url')}: required with --store redis`);
  else if (!isRedisUrl(url))
    errors.push(`${label('redis-url')}: must be a redis:// or rediss:// URL with a host (value not shown)`);
  let key: Uint8Array | undefined;
  if (keyText !== undefined) {
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(keyText.trim())
      ? Buffer.from(keyText.trim(), 'base64')
      : undefined;
    if (bytes?.length === 32) key = new Uint8Array(bytes);
    else
      errors.push(
        `${label('store-key')}: must be 32 bytes in base64 (e.g. from \`openssl rand -base64 32\`); value not shown`,
      );
  }
  return { kind: 'redis', url: url ?? '', ...(key ? { key } : {}) };
}

function isRedisUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** `--metrics-port`: unset, on the MCP listener (none with stdio); `0` or `off`, no metrics; else a port. */
function metricsEndpoint(
  value: string | undefined,
  transport: string | undefined,
  label: string,
  errors: string[],
): MetricsEndpoint {
  if (value === undefined) return transport === 'stdio' ? { on: 'off' } : { on: 'main' };
  if (/^\s*(off|0)\s*$/i.test(value)) return { on: 'off' };
  const checked = parsePort(value, 1);
  if ('value' in checked) return { on: 'own-port', port: checked.value };
  errors.push(`${label}: must be a port (1 to 65535), or 0 or off for no metrics, got "${value}"`);
  return { on: 'off' };
}

const AUTH_MODES = ['none', 'token', 'oauth'] as const;
const OAUTH_ONLY: OptionName[] = [
  'oauth-issuer',
  'oauth-audience',
  'oauth-scopes',
  'oauth-client-id',
  'oauth-client-secret',
];

/** `--auth` and the options of its mode; an option of another mode is a mistake worth saying. */
function parseAuth(
  raw: (name: OptionName) => string | undefined,
  list: (name: OptionName) => string[],
  label: (name: OptionName) => string,
  errors: string[],
  ctx: { domains: readonly DomainName[]; stdio: boolean },
): AuthConfig {
  const mode = raw('auth') ?? 'none';
  if (!(AUTH_MODES as readonly string[]).includes(mode)) {
    errors.push(`${label('auth')}: must be none, token or oauth, got "${mode}"`);
    return { mode: 'none' };
  }
  const given = (names: OptionName[]) => names.filter((n) => raw(n) !== undefined);
  if (mode !== 'token' && raw('auth-tokens-file') !== undefined) {
    errors.push(`${label('auth-tokens-file')}: only with --auth token`);
  }
  if (mode !== 'oauth') for (const n of given(OAUTH_ONLY)) errors.push(`${label(n)}: only with --auth oauth`);
  if (mode === 'none') return { mode: 'none' };
  if (ctx.stdio) {
    errors.push(`${label('auth')}: protects HTTP; with --transport stdio the client starts certdocs itself`);
  }
  if (mode === 'token') {
    const file = raw('auth-tokens-file');
    if (!file?.trim()) {
      errors.push(
        `${label('auth-tokens-file')}: required with --auth token (create a token: certdocs token new)`,
      );
      return { mode: 'none' };
    }
    return { mode: 'token', tokensFile: resolve(file) };
  }
  const issuer = raw('oauth-issuer');
  if (issuer === undefined) errors.push(`${label('oauth-issuer')}: required with --auth oauth`);
  else if (!isIssuerUrl(issuer)) {
    errors.push(
      `${label('oauth-issuer')}: must be an https URL (http only on loopback) without query or fragment, got "${issuer}"`,
    );
  }
  const [firstDomain] = ctx.domains;
  const audience = raw('oauth-audience') ?? (firstDomain ? `https://${firstDomain}/mcp` : undefined);
  if (audience === undefined) {
    errors.push(
      `${label('oauth-audience')}: required with --auth oauth when there is no --domain (e.g. https://docs.example.com/mcp)`,
    );
  }
  const id = raw('oauth-client-id');
  const secret = raw('oauth-client-secret');
  if ((id === undefined) !== (secret === undefined)) {
    errors.push(`${label('oauth-client-id')} and ${label('oauth-client-secret')}: give both or neither`);
  }
  return {
    mode: 'oauth',
    issuer: issuer ?? '',
    audience: audience ?? '',
    scopes: list('oauth-scopes'),
    ...(id && secret ? { client: { id, secret } } : {}),
  };
}

function isIssuerUrl(text: string): boolean {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return false;
  }
  if (u.search || u.hash) return false;
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(u.hostname);
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
