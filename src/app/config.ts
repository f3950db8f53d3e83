import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChallengeType } from '../domain/certificate.js';
import { DEFAULT_COORDINATION } from '../domain/coordination.js';
import { type DomainName, parseDomainName } from '../domain/domain-name.js';
import type { FreshnessSettings, ObtainSettings } from '../ports/settings.js';
import { metricsEndpoint, parseAuth, parseStore, resolveDocs } from './config-sections.js';
import type { AcmeConfig, AppConfig, DocsLocation } from './config-types.js';
import {
  type Duration,
  type Port,
  parseDuration,
  parsePort,
  parseRateLimit,
  type RateLimit,
} from './config-values.js';
import { flagLabel, OPTIONS, type OptionName, type OptionSpec } from './options.js';

export type {
  AcmeConfig,
  AppConfig,
  AuthConfig,
  DocsLocation,
  MetricsEndpoint,
  StoreConfig,
} from './config-types.js';

/**
 * The only reader of argv and the environment. Flags win over env vars; every problem is reported
 * at once, one line each, naming the flag and its env var.
 */

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
  const { domains, challenges, directoryUrl, email, acceptTos, profile, eab, store } = acme;
  // Waiters look every 2 s, or more often under a short lease (a dead holder's runs out sooner).
  const coordination =
    store?.kind === 'redis' && store.leaseMs !== DEFAULT_COORDINATION.leaseMs
      ? {
          ...DEFAULT_COORDINATION,
          leaseMs: store.leaseMs,
          pollMs: Math.min(DEFAULT_COORDINATION.pollMs, store.leaseMs / 4),
        }
      : undefined;
  return {
    domains,
    challenges,
    directoryUrl,
    email,
    acceptTos,
    profile,
    eab,
    ...(coordination ? { coordination } : {}),
  };
}

export function freshnessSettings(config: AppConfig): FreshnessSettings {
  return { refreshIntervalMs: config.refreshInterval };
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
    for (const n of ['redis-url', 'store-key', 'order-lease'] as const)
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
