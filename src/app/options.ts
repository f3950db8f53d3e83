/**
 * Every option certdocs takes: its flag, its environment variable, its help line and default.
 * config.ts parses them, startup-error.ts names them (flagLabel) when the domain reports a bad
 * setting, and --help lists them. Nothing below src/app knows a flag.
 */

export interface OptionSpec {
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
  'metrics-port': {
    env: 'METRICS_PORT',
    type: 'string',
    help: 'Serve /metrics (Prometheus) on this port of its own, plain HTTP, instead of on the MCP listener; 0 or off: no metrics',
  },
  'max-connections': {
    env: 'MAX_CONNECTIONS',
    type: 'string',
    help: 'Most connections open at once on each port; more are closed at once',
    default: '1024',
  },
  'rate-limit': {
    env: 'RATE_LIMIT',
    type: 'string',
    help: 'Requests per client address to /mcp, /sse, /message and /api/search, e.g. 10/s or 600/m; more get 429 (off by default)',
  },
  'log-level': {
    env: 'LOG_LEVEL',
    type: 'string',
    help: 'debug, info, warn, error or silent',
    default: 'info',
  },
  'log-format': {
    env: 'LOG_FORMAT',
    type: 'string',
    help: 'json (one JSON object a line), pretty (for people), or auto: pretty on a terminal, else json',
    default: 'auto',
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
  store: {
    env: 'CERT_STORE',
    type: 'string',
    help: 'Where certificates, keys and the ACME account are kept: fs (--certs-dir) or redis (--redis-url; shared by replicas)',
    default: 'fs',
  },
  'redis-url': {
    env: 'REDIS_URL',
    type: 'string',
    help: 'With --store redis: redis://[user:password@]host:port[/db], or rediss:// for TLS',
  },
  'store-key': {
    env: 'STORE_KEY',
    type: 'string',
    help: 'With --store redis: 32 bytes, base64, that encrypt private keys at rest (AES-256-GCM)',
  },
  'order-lease': {
    env: 'ORDER_LEASE',
    type: 'string',
    help: 'With --store redis: the lease of the replica that orders (renewed every third of it); a replica that dies mid-order delays the certificate this long (default 60s)',
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
  // Access control (part 9)
  auth: { env: 'AUTH_MODE', type: 'string', help: 'none, token or oauth', default: 'none' },
  'auth-tokens-file': {
    env: 'AUTH_TOKENS_FILE',
    type: 'string',
    help: 'With --auth token: file of accepted tokens, one per line (or sha256:<hex>; see `certdocs token new`)',
  },
  'oauth-issuer': {
    env: 'OAUTH_ISSUER',
    type: 'string',
    help: "With --auth oauth: the authorization server's issuer URL",
  },
  'oauth-audience': {
    env: 'OAUTH_AUDIENCE',
    type: 'string',
    help: "With --auth oauth: this server's resource identifier (default https://<first domain>/mcp)",
  },
  'oauth-scopes': {
    env: 'OAUTH_SCOPES',
    type: 'string',
    help: 'With --auth oauth: scopes every token must have, comma-separated',
  },
  'oauth-client-id': {
    env: 'OAUTH_CLIENT_ID',
    type: 'string',
    help: 'With --auth oauth: client id for introspecting opaque tokens (RFC 7662)',
  },
  'oauth-client-secret': {
    env: 'OAUTH_CLIENT_SECRET',
    type: 'string',
    help: 'With --auth oauth: client secret for introspecting opaque tokens',
  },
  'health-details': {
    env: 'HEALTH_DETAILS',
    type: 'boolean',
    help: 'With --auth: keep document counts and certificate details on /healthz',
  },
  force: { env: '', type: 'boolean', help: 'With `cert renew`: renew even when not due' },
  help: { env: '', type: 'boolean', help: 'Show this help' },
  version: { env: '', type: 'boolean', help: 'Show the version' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** How errors name an option: the flag and, where there is one, its environment variable. */
export function flagLabel(name: OptionName): string {
  const env = OPTIONS[name].env;
  return env ? `--${name} (${env})` : `--${name}`;
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
       certdocs token new   (a fresh access token for --auth token, and the line to store)

Options (flags win over the environment variables in brackets):
${rows.join('\n')}
`;
}
