import { existsSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY as MAIN } from '../harness/certdocs.mjs';
import { NO_NODE_DOCS_REASON, NODE_DOCS } from '../harness/corpus.mjs';

if (!NODE_DOCS) console.warn(`stdio e2e skipped: ${NO_NODE_DOCS_REASON}`);

describe.skipIf(!NODE_DOCS)(
  `MCP over stdio with the built CLI${NODE_DOCS ? '' : ` (skipped: ${NO_NODE_DOCS_REASON})`}`,
  () => {
    let client: Client;
    let stderr = '';

    beforeAll(async () => {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [MAIN, '--transport', 'stdio', '--docs', NODE_DOCS as string, '--log-level', 'silent'],
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      client = new Client({ name: 'certdocs-stdio-e2e', version: '1.0.0' });
      await client.connect(transport);
    });

    afterAll(async () => {
      await client?.close();
    });

    it('lists the tools', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['fetch', 'list_documents', 'outline', 'search']);
    });

    it('searches the corpus', async () => {
      const result = (await client.callTool({
        name: 'search',
        arguments: { query: 'read a file line by line', limit: 5 },
      })) as CallToolResult;
      expect(result.isError ?? false, stderr).toBe(false);
      const { results } = result.structuredContent as { results: { document: string }[] };
      expect(results.length).toBeGreaterThan(0);
      expect(results.some((r) => r.document === 'readline' || r.document === 'fs')).toBe(true);
    });

    it('keeps stdout for MCP: nothing is logged at level silent', () => {
      expect(stderr).toBe('');
    });
  },
);
