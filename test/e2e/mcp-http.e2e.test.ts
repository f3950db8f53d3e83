import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.js';
import { NO_NODE_DOCS_REASON, NODE_DOCS } from '../harness/corpus.mjs';
import { connectMcp } from '../harness/mcp-client.mjs';
import { type RunningApp, startServer } from '../support/start-server.js';

interface SearchResult {
  results: { id: string; document: string; title: string; url: string; snippet: string }[];
}
interface FetchResult {
  id: string;
  text: string;
  metadata: { nextOffset: number | null; offset: number; totalChars: number };
}

if (!NODE_DOCS) console.warn(`mcp-http e2e skipped: ${NO_NODE_DOCS_REASON}`);

describe.skipIf(!NODE_DOCS)(
  `MCP over HTTP against the real app on the Node.js docs${NODE_DOCS ? '' : ` (skipped: ${NO_NODE_DOCS_REASON})`}`,
  () => {
    let app: RunningApp;
    let baseUrl: URL;

    beforeAll(async () => {
      const parsed = parseConfig(
        ['--port', '0', '--host', '127.0.0.1', '--docs', NODE_DOCS as string, '--log-level', 'silent'],
        {},
      );
      if (parsed.ok !== true) throw new Error(`config rejected: ${JSON.stringify(parsed)}`);
      app = await startServer(parsed.config);
      expect(app.url, 'the started server must expose the URL it listens on').toMatch(
        /^http:\/\/127\.0\.0\.1:\d+$/,
      );
      baseUrl = new URL(app.url as string);
      expect(baseUrl.port, 'port 0 must be replaced by the port actually bound').not.toBe('0');
    });

    afterAll(async () => {
      await app?.stop();
    });

    it('answers /healthz with the corpus counts', async () => {
      const res = await fetch(new URL('/healthz', baseUrl));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { docs: { documents: number; sections: number } };
      expect(body.docs.documents).toBeGreaterThan(50);
      expect(body.docs.sections).toBeGreaterThan(body.docs.documents);
    });

    const transports: [string, 'streamable-http' | 'sse', string][] = [
      ['Streamable HTTP', 'streamable-http', '/mcp'],
      ['legacy SSE', 'sse', '/sse'],
    ];

    describe.each(transports)('with the SDK client over %s', (_name, transport, path) => {
      let client: Client;

      beforeAll(async () => {
        client = await connectMcp(new URL(path, baseUrl), { name: 'certdocs-e2e', transport });
      });

      afterAll(async () => {
        await client?.close();
      });

      async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
        const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
        expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
        return result.structuredContent as T;
      }

      it('lists the four read-only tools with output schemas', async () => {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name).sort()).toEqual(['fetch', 'list_documents', 'outline', 'search']);
        for (const tool of tools) {
          expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
          expect(tool.outputSchema?.type, tool.name).toBe('object');
        }
      });

      it('finds readline or fs for "read a file line by line", and fetches the first result', async () => {
        const found = await call<SearchResult>('search', { query: 'read a file line by line' });
        expect(found.results.length).toBeGreaterThan(0);
        expect(found.results.some((r) => r.document === 'readline' || r.document === 'fs')).toBe(true);
        const first = found.results[0];
        if (!first) throw new Error('no results');
        const page = await call<FetchResult>('fetch', { id: first.id });
        expect(page.id).toBe(first.id);
        expect(page.text.length).toBeGreaterThan(0);
      });

      it('accepts a token budget on search and fetch through the tool schemas', async () => {
        const found = await call<SearchResult>('search', { query: 'read a file', limit: 50, maxTokens: 300 });
        expect(found.results.length).toBeGreaterThan(0);
        expect(found.results.length).toBeLessThan(10);
        expect(JSON.stringify(found.results).length).toBeLessThanOrEqual(1_200 + found.results.length + 1);
        const page = await call<FetchResult>('fetch', { id: 'fs', maxTokens: 1_000 });
        expect(page.text.length).toBeLessThanOrEqual(4_000);
        expect(page.metadata.nextOffset).not.toBeNull();
      });

      it('pages through a long document until nextOffset is null, losing nothing', async () => {
        let offset: number | null = 0;
        let text = '';
        const pages: FetchResult[] = [];
        while (offset !== null) {
          const page: FetchResult = await call<FetchResult>('fetch', { id: 'fs', offset, maxChars: 20_000 });
          expect(page.metadata.offset).toBe(offset);
          expect(page.text.length).toBeLessThanOrEqual(20_000);
          text += page.text;
          offset = page.metadata.nextOffset;
          pages.push(page);
        }
        expect(pages.length).toBeGreaterThan(2);
        expect(text).toBe(await readFile(join(NODE_DOCS as string, 'fs.md'), 'utf8'));
        // The resource stays under Claude Code's 25k-token limit: the first page, then where the
        // rest is (the fetch call that reads on and the section resources).
        const resource = await client.readResource({ uri: 'docs://fs' });
        const first = resource.contents[0];
        const firstText = first && 'text' in first ? String(first.text) : '';
        expect(firstText.startsWith(pages[0]?.text ?? '-')).toBe(true);
        expect(firstText.length).toBeLessThan(30_000);
        expect(firstText).toContain(`{"id":"fs","offset":${pages[0]?.metadata.nextOffset}}`);
        const sections = [...firstText.matchAll(/^- (docs:\/\/fs#\S+)/gm)].map((m) => m[1] as string);
        expect(sections.length).toBeGreaterThan(0);
        const last = await client.readResource({ uri: sections.at(-1) as string });
        expect(last.contents[0] && 'text' in last.contents[0] ? last.contents[0].text : '').not.toBe('');
      });

      it('lists documents as resources and reads one', async () => {
        const { resources } = await client.listResources();
        expect(resources.length).toBeGreaterThan(50);
        const readline = resources.find((r) => r.uri === 'docs://readline');
        expect(readline).toMatchObject({ name: 'readline', mimeType: 'text/markdown' });
        const read = await client.readResource({ uri: 'docs://readline' });
        const content = read.contents[0];
        expect(content?.mimeType).toBe('text/markdown');
        expect(content && 'text' in content ? content.text : '').toContain('# Readline');
      });

      it('turns an unknown id into a tool error a model can act on', async () => {
        const result = (await client.callTool({
          name: 'fetch',
          arguments: { id: 'fs#no-such-anchor' },
        })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(JSON.stringify(result.content)).toContain('No document or section has the id');
      });
    });
  },
);
