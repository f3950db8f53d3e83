import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { DEFAULT_FETCH_CHARS, ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

/**
 * Found on main: `resources/read docs://fs` returned 270 KB (Claude Code refuses anything over 25k
 * tokens), and the `docs://fs#…` URLs that `search` returns could not be read at all (-32002).
 */
const paragraph = (n: number) =>
  `Paragraph ${n} about file descriptors, streams and buffers. `.repeat(12).trim();
const bigChapter = (c: number) =>
  `## Chapter ${c}\n\n${Array.from({ length: 10 }, (_, i) => paragraph(c * 100 + i)).join('\n\n')}\n\n### Chapter ${c} details\n\n${paragraph(c * 100 + 99)}`;
const BIG = `# Big\n\nThe big document.\n\n${Array.from({ length: 24 }, (_, c) => bigChapter(c + 1)).join('\n\n')}\n`;
/** The cut falls inside Part 1, among hundreds of small subsections; Parts 2 and 3 follow. */
const DEEP = `# Deep\n\n${[1, 2, 3]
  .map(
    (p) =>
      `## Part ${p}\n\n${Array.from({ length: 300 }, (_, i) => `### Item ${p}.${i}\n\n${paragraph(i).slice(0, 120)}`).join('\n\n')}`,
  )
  .join('\n\n')}\n`;
/** 25k-token limit at ~4 characters a token. */
const CLAUDE_CODE_LIMIT_CHARS = 100_000;

const logger = new MemoryLogger();
const docs = new ServeDocs(
  InMemoryDocSource.of({ ...SAMPLE_DOCS, 'big.md': BIG, 'deep.md': DEEP }),
  new FakeClock(),
  logger,
  indexTools,
);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
const server = factory.create();
await server.connect(serverSide);
const client = new Client({ name: 'resources-test', version: '1.0.0' });
await client.connect(clientSide);
afterAll(async () => {
  await client.close();
  await server.close();
});

const read = async (uri: string) => {
  const res = await client.readResource({ uri });
  const text = res.contents[0] && 'text' in res.contents[0] ? String(res.contents[0].text) : '';
  return { res, text };
};

describe('docs:// resources', () => {
  it('the corpus really has a document longer than a fetch page', () => {
    expect(BIG.length).toBeGreaterThan(3 * DEFAULT_FETCH_CHARS);
  });

  it('reads the section URLs that search returns', async () => {
    const found = docs.search({ query: 'secure context' }).results[0];
    expect(found?.url).toMatch(/^docs:\/\/tls#/);
    const { res, text } = await read(found?.url as string);
    expect(res.contents[0]?.uri).toBe(found?.url);
    expect(res.contents[0]?.mimeType).toBe('text/markdown');
    expect(text).toBe(docs.fetch({ id: found?.id as string }).text);
  });

  it('reads a short document whole, as before', async () => {
    const { text } = await read('docs://timers');
    expect(text).toBe(docs.document('timers').markdown);
  });

  it('returns a long document as its first page plus the section resources that hold the rest', async () => {
    const { text } = await read('docs://big');
    expect(text.length).toBeLessThan(DEFAULT_FETCH_CHARS + 8_000);
    expect(text.startsWith(docs.fetch({ id: 'big' }).text)).toBe(true);
    const next = docs.fetch({ id: 'big' }).metadata.nextOffset;
    expect(text).toContain(`"offset":${next}`);
    const uris = [...text.matchAll(/docs:\/\/big#[\w-]+/g)].map((m) => m[0]);
    expect(uris).toContain('docs://big#chapter-24');
    // Top-level sections only: a chapter's details come with the chapter.
    expect(uris).not.toContain('docs://big#chapter-24-details');
    for (const uri of uris) expect((await read(uri)).text.length).toBeGreaterThan(0);
  });

  it('keeps the outermost sections when the list of the rest is too long to give whole', async () => {
    const { text } = await read('docs://deep');
    expect(text.length).toBeLessThan(DEFAULT_FETCH_CHARS + 8_000);
    expect(text).toContain('- docs://deep#part-2 — Part 2');
    expect(text).toContain('- docs://deep#part-3 — Part 3');
    expect(text).toMatch(/subsections more: the outline tool lists every section of "deep"/);
  });

  it('keeps every resource read of the corpus under the 25k-token limit', async () => {
    const uris = [
      ...docs.listDocuments({}).documents.map((d) => `docs://${d.id}`),
      ...docs.outline('big').sections.map((s) => `docs://${s.id}`),
    ];
    for (const uri of uris) {
      const { res } = await read(uri);
      expect(JSON.stringify(res).length, uri).toBeLessThan(CLAUDE_CODE_LIMIT_CHARS);
    }
  });

  it('lists a template for sections beside the one for documents', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('docs://{doc}#{section}');
  });

  it.each([
    ['an unknown id', 'docs://no-such-doc', -32002],
    ['a path', 'docs://../../etc/passwd', -32002],
    ['a NUL byte', 'docs://tls%00', -32002],
    ['malformed percent-encoding', 'docs://tls%E0%A4%A', -32602],
    ['another scheme', 'file:///etc/passwd', -32602],
  ])('answers %s with a clear error', async (_, uri, code) => {
    const error = await client.readResource({ uri }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(code);
    expect((error as McpError).message).not.toMatch(/\n\s+at /);
  });
});
