import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newToken } from '../../src/adapters/token-file/token-store.js';
import { type AppConfig, parseConfig } from '../../src/app/config.js';
import { explainStartupFailure } from '../../src/app/startup-error.js';
import { type RunningApp, startServer } from '../support/start-server.js';

function config(tokensFile: string, extra: string[] = []): AppConfig {
  const parsed = parseConfig(
    [
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--auth',
      'token',
      '--auth-tokens-file',
      tokensFile,
      '--log-level',
      'silent',
      ...extra,
    ],
    {},
  );
  if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
  return parsed.config;
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens GET /sse and resolves with the session's message path (from the `endpoint` event). */
function openSse(url: string, token: string): Promise<{ endpoint: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/sse`,
      { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
      (res) => {
        let buffered = '';
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const m = /event: endpoint\ndata: (\S+)/.exec(buffered);
          if (m?.[1]) resolve({ endpoint: m[1], close: () => req.destroy() });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('--auth token against a real tokens file', () => {
  let dir: string;
  let file: string;
  let app: RunningApp;
  const alice = newToken();
  const bob = newToken();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certdocs-token-auth-'));
    file = join(dir, 'tokens');
    await writeFile(file, `${alice.line} alice\n${bob.token} bob\n`);
    app = await startServer(config(file));
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const search = (token?: string) =>
    fetch(`${app.url}/api/search?q=certificate`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('lets tokens from the file in (hashed or plain) and no one else', async () => {
    expect((await search(alice.token)).status).toBe(200);
    expect((await search(bob.token)).status).toBe(200);
    const none = await search();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="certdocs"');
    expect((await search(newToken().token)).status).toBe(401);
  });

  it('keeps /healthz open and bare', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object)).toEqual(['status']);
  });

  it('binds a legacy SSE session to its token: another token posting to it gets 404', async () => {
    const sse = await openSse(app.url ?? '', alice.token);
    try {
      const post = (token: string) =>
        fetch(`${app.url}${sse.endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      expect((await post(bob.token)).status).toBe(404);
      expect((await post(alice.token)).status).toBe(202);
    } finally {
      sse.close();
    }
  });

  it('rereads the file when it changes: a new token works and a removed one stops', async () => {
    const carol = newToken();
    // Written as editors do: a new file renamed over the old one.
    await writeFile(`${file}.tmp`, `${carol.line} carol\n${bob.token} bob\n`);
    await rename(`${file}.tmp`, file);
    await until(async () => (await search(carol.token)).status === 200);
    expect((await search(alice.token)).status).toBe(401);
    expect((await search(bob.token)).status).toBe(200);
  });
});

describe('--auth token start-up errors', () => {
  it.each([
    ['missing', undefined, /^--auth-tokens-file \(AUTH_TOKENS_FILE\): cannot read .*: no such file$/],
    ['empty', '# no tokens yet\n', /^--auth-tokens-file \(AUTH_TOKENS_FILE\): .* holds no token/],
  ])('a %s file stops the start, naming the flag', async (_label, content, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'certdocs-token-err-'));
    try {
      const file = join(dir, 'tokens');
      if (content !== undefined) await writeFile(file, content);
      const error = await startServer(config(file)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(explainStartupFailure(error)?.message).toMatch(message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
