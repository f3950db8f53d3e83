import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DomainName } from '../domain/domain-name.js';
import type { AuthConfig, DocsLocation, MetricsEndpoint, StoreConfig } from './config-types.js';
import { parseDuration, parsePort } from './config-values.js';
import type { OptionName } from './options.js';

/**
 * The parts of parseConfig that each read a group of options: the docs source, the store, where
 * /metrics goes, access control. Each pushes its problems, named by flag, onto `errors`.
 */

export function bundledDocsDir(): string {
  // src/app/*.ts, dist/app/*.js and the bundle in dist/bin/ all sit two levels below the package root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
}

/**
 * `--store`, `--redis-url`, `--store-key`. The URL and the key are secrets: a problem with them is
 * described, never echoed.
 */
export function parseStore(
  raw: (name: OptionName) => string | undefined,
  label: (name: OptionName) => string,
  errors: string[],
): StoreConfig {
  const kind = raw('store') ?? 'fs';
  const url = raw('redis-url');
  const keyText = raw('store-key');
  const leaseText = raw('order-lease');
  if (kind !== 'fs' && kind !== 'redis') {
    errors.push(`${label('store')}: must be fs or redis, got "${kind}"`);
    return { kind: 'fs' };
  }
  if (kind === 'fs') {
    if (url !== undefined) errors.push(`${label('redis-url')}: only with --store redis`);
    if (keyText !== undefined) errors.push(`${label('store-key')}: only with --store redis`);
    if (leaseText !== undefined) errors.push(`${label('order-lease')}: only with --store redis`);
    return { kind: 'fs' };
  }
  const lease = parseDuration(leaseText ?? '60s');
  const leaseMs = 'value' in lease ? lease.value : 0;
  if (leaseMs < 3000)
    errors.push(
      `${label('order-lease')}: must be a duration of at least 3s (e.g. 60s, 2m), got "${leaseText}"`,
    );
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
  return { kind: 'redis', url: url ?? '', leaseMs, ...(key ? { key } : {}) };
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
export function metricsEndpoint(
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
export function parseAuth(
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

export function resolveDocs(
  value: string | undefined,
  label: string,
  errors: string[],
): DocsLocation | undefined {
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
