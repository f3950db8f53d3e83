import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.js';
import { LOGGER } from '../../src/ports/logger.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { connectMcp } from '../harness/mcp-client.mjs';
import { type RunningApp, startServer } from '../support/start-server.js';

async function start(args: string[]): Promise<RunningApp> {
  const parsed = parseConfig(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent', ...args], {});
  if (parsed.ok !== true) throw new Error(`bad test config: ${JSON.stringify(parsed)}`);
  return startServer(parsed.config);
}

async function searchTitles(client: Client, query: string): Promise<string[]> {
  const res = await client.callTool({ name: 'search', arguments: { query } });
  return ((res.structuredContent as { results: { title: string }[] }).results ?? []).map((r) => r.title);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('docs that stay fresh while clients are connected', () => {
  let app: RunningApp | undefined;
  let dir: string | undefined;
  let http: Server | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    await app?.stop();
    http?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    app = undefined;
    client = undefined;
    http = undefined;
    dir = undefined;
  });

  it('re-indexes a watched folder and tells a connected session that the resources changed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'certdocs-fresh-'));
    await writeFile(join(dir, 'alpha.md'), '# Alpha\n\nAbout aardvarks.\n');
    app = await start(['--docs', dir]);
    let changed = 0;
    client = await connectMcp(new URL('/mcp', app.url), {
      name: 'freshness-test',
      beforeConnect: (c) =>
        c.setNotificationHandler(ResourceListChangedNotificationSchema, async () => {
          changed++;
        }),
    });
    expect(await searchTitles(client, 'zebus')).toEqual([]);

    // Give the client's notification stream (GET /mcp) a moment to open, then edit the corpus.
    await new Promise((r) => setTimeout(r, 300));
    await writeFile(join(dir, 'beta.md'), '# Beta\n\nAbout zebus, the humped cattle.\n');

    await until('the new document to be searchable', async () => {
      const titles = await searchTitles(client as Client, 'zebus');
      return titles.length ? titles : undefined;
    });
    await until('resources/list_changed', async () => (changed > 0 ? changed : undefined));
    const listed = await client.listResources();
    expect(listed.resources.map((r) => r.uri).sort()).toEqual(['docs://alpha', 'docs://beta']);
  });

  it('re-fetches a Hugo index URL with ETag, and keeps serving when the URL fails', async () => {
    let body = JSON.stringify([
      { title: 'One', permalink: 'https://site.example/one/', contents: 'About okapis.' },
    ]);
    let etag = '"v1"';
    let fail = false;
    const seen: string[] = [];
    http = createServer((req, res) => {
      seen.push(fail ? '500' : req.headers['if-none-match'] === etag ? '304' : '200');
      if (fail) return res.writeHead(500).end('boom');
      if (req.headers['if-none-match'] === etag) return res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    });
    await new Promise<void>((r) => http?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/index.json`;
    app = await start(['--docs', url, '--refresh-interval', '1s']);
    client = await connectMcp(new URL('/mcp', app.url), { name: 'freshness-test' });
    expect(await searchTitles(client, 'okapis')).toEqual(['One']);

    await until('a conditional re-fetch answered 304', async () => (seen.includes('304') ? true : undefined));

    fail = true;
    await until('a failed re-fetch', async () => (seen.includes('500') ? true : undefined));
    expect(await searchTitles(client, 'okapis')).toEqual(['One']); // old index kept

    fail = false;
    body = JSON.stringify([
      { title: 'Two', permalink: 'https://site.example/two/', contents: 'About tapirs.' },
    ]);
    etag = '"v2"';
    await until('the new index', async () => {
      const titles = await searchTitles(client as Client, 'tapirs');
      return titles.length ? titles : undefined;
    });
    expect(await searchTitles(client, 'okapis')).toEqual([]);
  });

  it('keeps the index in --index-cache and restores it at the next start over the same docs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'certdocs-cache-'));
    const docsDir = join(dir, 'docs');
    const cache = join(dir, 'cache');
    await mkdir(docsDir);
    await writeFile(
      join(docsDir, 'alpha.md'),
      '# Alpha\n\nAbout aardvarks.\n\n## Burrows\n\nDug at night.\n',
    );
    const startLogged = async () => {
      const parsed = parseConfig(
        ['--port', '0', '--host', '127.0.0.1', '--docs', docsDir, '--index-cache', cache],
        {},
      );
      if (parsed.ok !== true) throw new Error('bad test config');
      const logger = new MemoryLogger();
      const running = await startServer(parsed.config, {
        override: (c) => c.register(LOGGER, { useValue: logger }),
      });
      if (!running.url) throw new Error('no URL');
      return { running, url: running.url, logger };
    };

    const first = await startLogged();
    app = first.running;
    const before = await fetchSearch(first.url, 'night burrows');
    expect(JSON.stringify(before)).toContain('Burrows');
    await app.stop(); // waits for the save
    app = undefined;
    expect(first.logger.has('info', 'docs index saved')).toBe(true);
    expect((await readdir(cache)).filter((f) => f.endsWith('.v8'))).toHaveLength(1);

    const second = await startLogged();
    app = second.running;
    expect(second.logger.has('info', 'docs index restored')).toBe(true);
    expect(second.logger.has('info', 'docs indexed')).toBe(false);
    expect(await fetchSearch(second.url, 'night burrows')).toEqual(before);
  });
});

async function fetchSearch(url: string, query: string): Promise<unknown> {
  const client = await connectMcp(new URL('/mcp', url), { name: 'cache-test' });
  try {
    const res = await client.callTool({ name: 'search', arguments: { query } });
    return res.structuredContent;
  } finally {
    await client.close();
  }
}
