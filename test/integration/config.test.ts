import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACME_DIRECTORIES, type AppConfig, parseConfig } from '../../src/app/config.js';

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

  it('returns help and version outcomes', () => {
    expect(parseConfig(['--help'], {})).toEqual({ ok: 'help' });
    expect(parseConfig(['--version'], {})).toEqual({ ok: 'version' });
    // --help wins even when other flags are bad: the user is asking how to fix them.
    expect(parseConfig(['--port', 'x', '--help'], {})).toEqual({ ok: 'help' });
  });
});
