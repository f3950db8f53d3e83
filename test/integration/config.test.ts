import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACME_DIRECTORIES, type AppConfig, obtainSettings, parseConfig } from '../../src/app/config.js';

const tmp = mkdtempSync(join(tmpdir(), 'certdocs-config-'));
const textFile = join(tmp, 'notes.txt');
const hugoFile = join(tmp, 'index.json');
writeFileSync(textFile, 'hello');
writeFileSync(hugoFile, '[]');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ok(argv: string[], env: NodeJS.ProcessEnv = {}): AppConfig {
  const out = parseConfig(argv, env);
  if (out.ok !== true) throw new Error(`expected a config, got ${JSON.stringify(out)}`);
  return out.config;
}

function errors(argv: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const out = parseConfig(argv, env);
  if (out.ok !== false) throw new Error(`expected errors, got ${JSON.stringify(out)}`);
  return out.errors;
}

describe('parseConfig', () => {
  it('keeps no index between runs unless --index-cache / INDEX_CACHE names a directory', () => {
    expect(ok([]).indexCache).toBeUndefined();
    expect(ok(['--index-cache', 'cache/idx']).indexCache).toBe(join(process.cwd(), 'cache/idx'));
    expect(ok([], { INDEX_CACHE: '/var/cache/certdocs' }).indexCache).toBe('/var/cache/certdocs');
    expect(errors(['--index-cache', ' '])).toEqual([expect.stringMatching(/--index-cache.*directory path/)]);
  });

  it('has defaults: port 8080, http, loopback hosts and the bundled docs folder', () => {
    const config = ok([]);
    expect(config.port).toBe(8080);
    expect(config.transport).toBe('http');
    expect(config.host).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.maxBodyBytes).toBe(1_048_576);
    expect(config.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(config.acme).toBeUndefined();
    expect(config.docs.kind).toBe('dir');
    expect(existsSync(config.docs.location)).toBe(true);
  });

  it('lets flags beat environment variables', () => {
    const config = ok(['--port', '9000', '--log-level', 'warn', '--docs', tmp], {
      PORT: '7000',
      LOG_LEVEL: 'debug',
      DOCS_SOURCE: '/nonexistent',
    });
    expect(config.port).toBe(9000);
    expect(config.logLevel).toBe('warn');
    expect(config.docs).toEqual({ kind: 'dir', location: tmp });
  });

  it('uses environment variables when no flag is given', () => {
    const config = ok([], {
      PORT: '7000',
      HOST: '127.0.0.1',
      MCP_TRANSPORT: 'stdio',
      DOCS_SOURCE: hugoFile,
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.port).toBe(7000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.transport).toBe('stdio');
    expect(config.docs).toEqual({ kind: 'hugo-file', location: hugoFile });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('treats an http(s) docs source as a Hugo index URL', () => {
    expect(ok(['--docs', 'https://example.com/index.json']).docs).toEqual({
      kind: 'hugo-url',
      location: 'https://example.com/index.json',
    });
  });

  it('accepts port 0 (the OS picks a free port)', () => {
    expect(ok(['--port', '0']).port).toBe(0);
  });

  it('rejects an unknown flag and a stray argument', () => {
    expect(errors(['--colour', 'blue'])).toEqual([
      '--colour: unknown option (see --help)',
      '"blue": unexpected argument (see --help)',
    ]);
  });

  it('rejects a port out of range, naming the flag and its env var either way', () => {
    expect(errors(['--port', '70000'])).toEqual(['--port (PORT): must be from 0 to 65535, got "70000"']);
    expect(errors([], { PORT: '-1' })).toEqual(['--port (PORT): must be from 0 to 65535, got "-1"']);
    expect(errors(['--port', 'http'])).toEqual(['--port (PORT): must be a number, got "http"']);
    expect(errors(['--port='])).toEqual(['--port (PORT): must be a number, got ""']);
  });

  it('rejects a docs path that does not exist', () => {
    const missing = join(tmp, 'nope');
    expect(errors(['--docs', missing])).toEqual([
      `--docs (DOCS_SOURCE): no such file or directory: ${missing}`,
    ]);
  });

  it('rejects a docs file that is not a Hugo .json index', () => {
    const [line] = errors(['--docs', textFile]);
    expect(line).toMatch(/^--docs \(DOCS_SOURCE\): .*notes\.txt is a file but not a Hugo index \(\.json\)/);
  });

  it('reports several problems at once, one line each', () => {
    const lines = errors(['--port', '99999', '--transport', 'carrier-pigeon', '--log-level', 'loud'], {
      MAX_BODY_BYTES: '12',
    });
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(
      expect.arrayContaining([
        '--port (PORT)',
        '--transport (MCP_TRANSPORT)',
        '--log-level (LOG_LEVEL)',
        '--max-body-bytes (MAX_BODY_BYTES)',
      ]),
    );
  });

  describe('ACME', () => {
    it('--domain makes 443 the default port and allows the domain as Host', () => {
      const config = ok(['--domain', 'Docs.Example.com']);
      expect(config.port).toBe(443);
      expect(config.allowedHosts).toContain('docs.example.com');
      expect(config.acme).toMatchObject({
        domains: ['docs.example.com'],
        directoryUrl: ACME_DIRECTORIES.letsencrypt,
        acmePort: 80,
        acceptTos: false,
      });
    });

    it('maps --acme-directory letsencrypt-staging to the staging URL', () => {
      const config = ok(['--domain', 'docs.example.com', '--acme-directory', 'letsencrypt-staging']);
      expect(config.acme?.directoryUrl).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    });

    it('parses --accept-tos and ACME_ACCEPT_TOS as booleans', () => {
      const withDomain = ['--domain', 'docs.example.com'];
      expect(ok([...withDomain, '--accept-tos']).acme?.acceptTos).toBe(true);
      expect(ok(withDomain, { ACME_ACCEPT_TOS: 'yes' }).acme?.acceptTos).toBe(true);
      expect(ok(withDomain, { ACME_ACCEPT_TOS: 'TRUE' }).acme?.acceptTos).toBe(true);
      expect(ok(withDomain, { ACME_ACCEPT_TOS: '0' }).acme?.acceptTos).toBe(false);
      expect(ok(withDomain, { ACME_ACCEPT_TOS: 'off' }).acme?.acceptTos).toBe(false);
      expect(errors(withDomain, { ACME_ACCEPT_TOS: 'maybe' })).toEqual([
        '--accept-tos (ACME_ACCEPT_TOS): must be true or false, got "maybe"',
      ]);
      expect(errors([...withDomain, '--accept-tos=false'])).toEqual(['--accept-tos: takes no value']);
    });

    it('refuses a domain with the stdio transport', () => {
      const [line] = errors(['--domain', 'docs.example.com', '--transport', 'stdio']);
      expect(line).toMatch(/^--domain \(DOMAIN\): .*not allowed with --transport stdio/);
    });
  });

  it('caps connections at 1024 unless --max-connections / MAX_CONNECTIONS says otherwise', () => {
    expect(ok([]).maxConnections).toBe(1024);
    expect(ok(['--max-connections', '200']).maxConnections).toBe(200);
    expect(ok([], { MAX_CONNECTIONS: '64' }).maxConnections).toBe(64);
    for (const bad of ['0', '-1', '1.5', 'many']) {
      expect(errors(['--max-connections', bad])).toEqual([
        `--max-connections (MAX_CONNECTIONS): must be a whole number of at least 1, got "${bad}"`,
      ]);
    }
  });

  it('limits no one unless --rate-limit / RATE_LIMIT gives requests per second, minute or hour', () => {
    expect(ok([]).rateLimit).toBeUndefined();
    expect(ok(['--rate-limit', '10/s']).rateLimit).toEqual({ requests: 10, windowMs: 1000 });
    expect(ok([], { RATE_LIMIT: '600/m' }).rateLimit).toEqual({ requests: 600, windowMs: 60_000 });
    expect(ok(['--rate-limit', ' 5000/h ']).rateLimit).toEqual({ requests: 5000, windowMs: 3_600_000 });
    // A flag can switch off what the environment set.
    expect(ok(['--rate-limit', 'off'], { RATE_LIMIT: '10/s' }).rateLimit).toBeUndefined();
    for (const bad of ['10', '0/s', '10/d', '1.5/s', 'ten/s', '/s']) {
      expect(errors(['--rate-limit', bad])).toEqual([
        `--rate-limit (RATE_LIMIT): must be requests per s, m or h (e.g. 10/s, 600/m) or off, got "${bad}"`,
      ]);
    }
  });

  describe('access control', () => {
    it('is off by default', () => {
      expect(ok([]).auth).toEqual({ mode: 'none' });
    });

    it('token mode needs a tokens file, from the flag or AUTH_TOKENS_FILE', () => {
      expect(ok(['--auth', 'token', '--auth-tokens-file', 'tokens.txt']).auth).toEqual({
        mode: 'token',
        tokensFile: join(process.cwd(), 'tokens.txt'),
      });
      expect(ok([], { AUTH_MODE: 'token', AUTH_TOKENS_FILE: '/etc/t' }).auth).toEqual({
        mode: 'token',
        tokensFile: '/etc/t',
      });
      expect(errors(['--auth', 'token'])).toEqual([
        expect.stringMatching(/^--auth-tokens-file \(AUTH_TOKENS_FILE\): required/),
      ]);
    });

    it('oauth mode: the audience defaults to https://<first domain>/mcp', () => {
      const auth = ok([
        '--domain',
        'docs.example.com,www.example.com',
        '--auth',
        'oauth',
        '--oauth-issuer',
        'https://login.example.com/realms/docs',
        '--oauth-scopes',
        'docs:read, openid',
      ]).auth;
      expect(auth).toEqual({
        mode: 'oauth',
        issuer: 'https://login.example.com/realms/docs',
        audience: 'https://docs.example.com/mcp',
        scopes: ['docs:read', 'openid'],
      });
    });

    it('oauth mode: issuer required, audience required without a domain, https issuer (http on loopback)', () => {
      expect(errors(['--auth', 'oauth'])).toEqual([
        expect.stringMatching(/^--oauth-issuer \(OAUTH_ISSUER\): required/),
        expect.stringMatching(/^--oauth-audience \(OAUTH_AUDIENCE\): required .* no --domain/),
      ]);
      expect(
        errors(['--auth', 'oauth', '--oauth-issuer', 'http://login.example.com', '--oauth-audience', 'x']),
      ).toEqual([expect.stringMatching(/^--oauth-issuer .*https URL/)]);
      expect(
        ok(['--auth', 'oauth', '--oauth-issuer', 'http://127.0.0.1:9000', '--oauth-audience', 'api://docs'])
          .auth,
      ).toMatchObject({
        issuer: 'http://127.0.0.1:9000',
        audience: 'api://docs',
      });
    });

    it('rejects a mode it does not know, options of another mode, half client credentials and stdio', () => {
      expect(errors(['--auth', 'basic'])).toEqual([
        expect.stringMatching(/^--auth \(AUTH_MODE\): must be none, token or oauth/),
      ]);
      expect(errors(['--oauth-issuer', 'https://a.example'])).toEqual([
        expect.stringMatching(/--oauth-issuer .*only with --auth oauth/),
      ]);
      expect(
        errors([
          '--auth',
          'oauth',
          '--oauth-issuer',
          'https://a.example',
          '--oauth-audience',
          'x',
          '--oauth-client-id',
          'c',
        ]),
      ).toEqual([expect.stringMatching(/give both or neither/)]);
      expect(errors(['--auth', 'token', '--auth-tokens-file', 't', '--transport', 'stdio'])).toEqual([
        expect.stringMatching(/^--auth .*stdio/),
      ]);
    });
  });

  it('logs JSON lines, or pretty ones on a terminal, as --log-format / LOG_FORMAT says', () => {
    expect(ok([]).logFormat).toBe('auto');
    expect(ok(['--log-format', 'json']).logFormat).toBe('json');
    expect(ok([], { LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(errors(['--log-format', 'text'])).toEqual([
      '--log-format (LOG_FORMAT): must be json, pretty or auto, got "text"',
    ]);
  });

  it('returns help and version outcomes', () => {
    expect(parseConfig(['--help'], {})).toEqual({ ok: 'help' });
    expect(parseConfig(['--version'], {})).toEqual({ ok: 'version' });
    // --help wins even when other flags are bad: the user is asking how to fix them.
    expect(parseConfig(['--port', 'x', '--help'], {})).toEqual({ ok: 'help' });
  });
});

describe('parseConfig: --metrics-port (METRICS_PORT)', () => {
  it('serves /metrics on the MCP listener by default; with stdio there is none, so metrics are off', () => {
    expect(ok([]).metrics).toEqual({ on: 'main' });
    expect(ok([], { METRICS_PORT: '' }).metrics).toEqual({ on: 'main' });
    expect(ok(['--transport', 'stdio']).metrics).toEqual({ on: 'off' });
  });

  it('moves it to a port of its own, from the flag or the variable (the flag wins)', () => {
    expect(ok(['--metrics-port', '9464']).metrics).toEqual({ on: 'own-port', port: 9464 });
    expect(ok([], { METRICS_PORT: '9100' }).metrics).toEqual({ on: 'own-port', port: 9100 });
    expect(ok(['--metrics-port', '9464'], { METRICS_PORT: '9100' }).metrics).toEqual({
      on: 'own-port',
      port: 9464,
    });
    // stdio has no listener of its own, but metrics can have one.
    expect(ok(['--transport', 'stdio', '--metrics-port', '9464']).metrics).toEqual({
      on: 'own-port',
      port: 9464,
    });
  });

  it('turns metrics off with 0 or off', () => {
    expect(ok(['--metrics-port', '0']).metrics).toEqual({ on: 'off' });
    expect(ok(['--metrics-port', 'off']).metrics).toEqual({ on: 'off' });
    expect(ok([], { METRICS_PORT: 'OFF' }).metrics).toEqual({ on: 'off' });
  });

  it('reports a bad value in one line naming the flag and its variable', () => {
    for (const bad of ['nine', '70000', '-1', '94.5', 'on']) {
      expect(errors(['--metrics-port', bad])).toEqual([
        `--metrics-port (METRICS_PORT): must be a port (1 to 65535), or 0 or off for no metrics, got "${bad}"`,
      ]);
    }
    expect(errors([], { METRICS_PORT: 'x' })).toEqual([
      expect.stringMatching(/^--metrics-port \(METRICS_PORT\): /),
    ]);
  });

  it('refuses the port MCP or HTTP-01 already listens on', () => {
    expect(errors(['--metrics-port', '8080'])).toEqual([
      '--metrics-port (METRICS_PORT): must differ from --port (8080)',
    ]);
    expect(errors(['--domain', 'docs.example.com', '--metrics-port', '80'])).toEqual([
      '--metrics-port (METRICS_PORT): must differ from --acme-port (80)',
    ]);
    expect(ok(['--domain', 'docs.example.com', '--metrics-port', '9464']).metrics).toEqual({
      on: 'own-port',
      port: 9464,
    });
  });
});

describe('parseConfig: --store, --redis-url, --store-key (part 7)', () => {
  const d = ['--domain', 'docs.example.com'];
  const KEY = Buffer.alloc(32, 7).toString('base64');

  it('keeps files by default: no store in the ACME config, as before', () => {
    expect(ok(d).acme?.store).toBeUndefined();
    expect(ok([...d, '--store', 'fs']).acme?.store).toBeUndefined();
  });

  it('takes redis with a URL (flag or REDIS_URL; rediss:// and a password too) and a 32-byte key', () => {
    expect(ok([...d, '--store', 'redis', '--redis-url', 'redis://127.0.0.1:6379']).acme?.store).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      leaseMs: 60_000,
    });
    const fromEnv = ok(d, {
      CERT_STORE: 'redis',
      REDIS_URL: 'rediss://:s3cret@redis.internal:6380/2',
      STORE_KEY: KEY,
    }).acme?.store;
    expect(fromEnv).toMatchObject({ kind: 'redis', url: 'rediss://:s3cret@redis.internal:6380/2' });
    expect(fromEnv?.kind === 'redis' && Buffer.from(fromEnv.key ?? []).equals(Buffer.alloc(32, 7))).toBe(
      true,
    );
  });

  it('names the flag and the variable for each problem, and never echoes the URL or the key', () => {
    expect(errors([...d, '--store', 'redis'])).toEqual([
      '--redis-url (REDIS_URL): required with --store redis',
    ]);
    expect(errors([...d, '--store', 'dynamo'])).toEqual([
      '--store (CERT_STORE): must be fs or redis, got "dynamo"',
    ]);
    const bad = errors([
      ...d,
      '--store',
      'redis',
      '--redis-url',
      'http://:pw@host',
      '--store-key',
      'c2hvcnQ=',
    ]);
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^--redis-url \(REDIS_URL\): must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(bad[1]).toMatch(/^--store-key \(STORE_KEY\): must be 32 bytes in base64/);
    expect(bad.join('\n')).not.toContain('pw');
    expect(bad.join('\n')).not.toContain('c2hvcnQ');
    expect(errors([...d, '--redis-url', 'redis://h', '--store-key', KEY])).toEqual([
      '--redis-url (REDIS_URL): only with --store redis',
      '--store-key (STORE_KEY): only with --store redis',
    ]);
    expect(errors(['--store', 'redis'])).toEqual([
      '--store (CERT_STORE): only with --domain (it stores the certificate)',
    ]);
  });

  it("--order-lease (ORDER_LEASE): the ordering replica's lease, at least 3 s, only with --store redis", () => {
    const redis = [...d, '--store', 'redis', '--redis-url', 'redis://h'];
    const store = ok([...redis, '--order-lease', '8s']).acme?.store;
    expect(store).toMatchObject({ kind: 'redis', leaseMs: 8000 });
    const acme = ok([...redis], { ORDER_LEASE: '2m' }).acme;
    expect(acme?.store).toMatchObject({ leaseMs: 120_000 });
    // The use-case gets it, with waiters looking often enough to notice a lease that ran out.
    expect(acme && obtainSettings(acme).coordination).toEqual({
      leaseMs: 120_000,
      pollMs: 2000,
      followMs: 60_000,
    });
    const short = ok([...redis, '--order-lease', '4s']).acme;
    expect(short && obtainSettings(short).coordination).toMatchObject({ leaseMs: 4000, pollMs: 1000 });
    const usual = ok(redis).acme;
    expect(usual && obtainSettings(usual).coordination).toBeUndefined();
    expect(errors([...redis, '--order-lease', '2s'])).toEqual([
      '--order-lease (ORDER_LEASE): must be a duration of at least 3s (e.g. 60s, 2m), got "2s"',
    ]);
    expect(errors([...d, '--order-lease', '10s'])).toEqual([
      '--order-lease (ORDER_LEASE): only with --store redis',
    ]);
  });
});
