import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY as MAIN, runCertdocs } from '../harness/certdocs.mjs';

/** The CLI with only PATH and `env` in its environment: nothing of this shell's configures it. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCertdocs(args, { env: { PATH: process.env.PATH, ...env }, inheritEnv: false });
}

/** What a user sees when the configuration is wrong: exit 2 before serving, one line per problem. */
describe('start-up errors of the real CLI', () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/bin/certdocs.js is missing: run `npm run build` first');
    dir = await mkdtemp(join(tmpdir(), 'certdocs-errors-'));
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const address = busy.address();
    busyPort = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    busy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every bad flag and env var at once, naming both', async () => {
    const r = await cli(['--port', '70000', '--transport', 'carrier-pigeon', '--nope'], {
      LOG_LEVEL: 'loud',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'certdocs: --nope: unknown option (see --help)',
        'certdocs: --port (PORT): must be from 0 to 65535, got "70000"',
        'certdocs: --transport (MCP_TRANSPORT): must be http or stdio, got "carrier-pigeon"',
        expect.stringContaining(
          'certdocs: --log-level (LOG_LEVEL): must be debug, info, warn, error or silent',
        ),
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('names the broken entries of a malformed Hugo index and exits before listening', async () => {
    const file = join(dir, 'index.json');
    await writeFile(
      file,
      JSON.stringify([{ title: 'ok', permalink: '/a/', contents: '# A' }, { title: 'broken' }]),
    );
    const r = await cli(['--docs', file, '--port', '0', '--host', '127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('certdocs: --docs (DOCS_SOURCE):');
    expect(r.stderr).toContain('entry 1: "contents" must be a string of Markdown');
    expect(r.stderr).not.toContain('MCP server listening');
  });

  it('says which flag to change when the port is taken, instead of a stack trace', async () => {
    const r = await cli(['--port', String(busyPort), '--host', '127.0.0.1', '--log-level', 'warn']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`certdocs: --port (PORT): ${busyPort} is already in use by another process`);
  });

  it('names --acme-port when the HTTP-01 port is taken, for the server and for `cert renew`', async () => {
    const acme = [
      '--domain',
      'docs.example.test',
      '--certs-dir',
      join(dir, 'certs'),
      '--acme-directory',
      'https://127.0.0.1:1/dir',
      '--acme-port',
      String(busyPort),
      '--host',
      '127.0.0.1',
      '--accept-tos',
      '--log-level',
      'warn',
    ];
    const expected = `certdocs: --acme-port (ACME_PORT): ${busyPort} is already in use by another process`;
    const server = await cli([...acme, '--port', '0']);
    expect(server.code).toBe(2);
    expect(server.stderr.trim()).toBe(expected);
    const renew = await cli(['cert', 'renew', '--force', ...acme]);
    expect(renew.code).toBe(1);
    expect(renew.stderr.trim()).toBe(expected);
  });
});

describe('certdocs token new', () => {
  it('prints a fresh token and the sha256 line to store for it', async () => {
    const r = await runCertdocs(['token', 'new'], { env: { PATH: process.env.PATH }, inheritEnv: false });
    expect(r.code).toBe(0);
    const [, token] = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(r.stdout) ?? [];
    const [, hash] = /^ {2}sha256:([0-9a-f]{64})$/m.exec(r.stdout) ?? [];
    expect(token).toBeDefined();
    const { createHash } = await import('node:crypto');
    expect(hash).toBe(
      createHash('sha256')
        .update(token ?? '')
        .digest('hex'),
    );
  });

  it('refuses a missing tokens file before serving', async () => {
    const r = await runCertdocs(
      ['--port', '0', '--auth', 'token', '--auth-tokens-file', '/nonexistent/certdocs-tokens'],
      {
        env: { PATH: process.env.PATH },
        inheritEnv: false,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--auth-tokens-file (AUTH_TOKENS_FILE): cannot read /nonexistent/certdocs-tokens: no such file',
    );
  });
});
