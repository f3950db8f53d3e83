import { afterAll, describe, expect, it } from 'vitest';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

/**
 * Messages a client gets wrong, found by trying the endpoint as an attacker would: each must get an
 * answer at once, run nothing, and leave nothing waiting.
 */
const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const endpoint = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger, maxBatch: 8 });
afterAll(() => endpoint.close());

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs `body` and fails the test if no answer comes within a second (the old behaviour: never). */
async function post(body: unknown, headers: Record<string, string> = {}, text = JSON.stringify(body)) {
  const req = new Request('http://localhost/mcp', {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: text,
  });
  const answer = endpoint.handle(req, body);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer to ${text.slice(0, 80)}`)), 1000).unref(),
  );
  return Promise.race([answer, timeout]);
}

const search = (id: unknown) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'search', arguments: { query: 'secure context' } },
});

async function errorOf(res: Response): Promise<{ code: number; message: string }> {
  const body = (await res.json()) as { error?: { code: number; message: string } };
  if (!body.error) throw new Error(`expected an error, got ${JSON.stringify(body)}`);
  return body.error;
}

describe('Streamable HTTP: messages a client gets wrong', () => {
  it.each([
    ['params that are not an object', { jsonrpc: '2.0', id: 1, method: 'ping', params: 'abc' }],
    ['an object as id', search({ a: 1 })],
    ['an array as id', search([1])],
    ['a boolean as id', search(true)],
    ['a fractional id', search(1.5)],
    ['null', null],
    ['a number', 42],
    ['an empty batch', []],
  ])('answers %s with 400 and -32600 at once', async (_, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe(-32600);
  });

  it('answers an id nested 10,000 levels deep with 400, not a 500 with a stack trace', async () => {
    // Parsed as the HTTP layer parses it; JSON.stringify itself cannot go this deep.
    const text = `{"jsonrpc":"2.0","method":"ping","id":${'{"id":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const res = await post(JSON.parse(text), {}, text);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe(-32600);
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it('refuses a batch with one bad element whole, running none of it', async () => {
    const res = await post([search(1), { jsonrpc: '2.0', id: 2, method: 'ping', params: 7 }]);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/index 1/);
  });

  it('refuses a batch larger than maxBatch, naming the limit', async () => {
    const res = await post(Array.from({ length: 9 }, (_, i) => search(i)));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('8');
  });

  it('serves a batch up to maxBatch, replies in order with the ids restored', async () => {
    const res = await post(Array.from({ length: 8 }, (_, i) => search(`q${i}`)));
    expect(res.status).toBe(200);
    const replies = (await res.json()) as { id: string; result?: unknown }[];
    expect(replies.map((r) => r.id)).toEqual(Array.from({ length: 8 }, (_, i) => `q${i}`));
    expect(replies.every((r) => r.result !== undefined)).toBe(true);
  });

  it.each(['application/jsonfoo', 'text/plain; x=application/json', 'application/json-patch+json'])(
    'refuses Content-Type %s with 415 (a media type, not a substring)',
    async (type) => {
      const res = await post(search(1), { 'content-type': type });
      expect(res.status).toBe(415);
    },
  );

  it('accepts Content-Type application/json with parameters', async () => {
    const res = await post(search(1), { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(res.status).toBe(200);
  });

  it('answers a batch holding a call and its own cancellation, in a session', async () => {
    const init = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const session = init.headers.get('mcp-session-id') ?? '';
    expect(session).not.toBe('');
    const res = await post(
      [
        search(7),
        {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 7, reason: 'changed my mind' },
        },
      ],
      { 'mcp-session-id': session },
    );
    expect(res.status).toBe(200);
    const replies = (await res.json()) as { id: number }[];
    expect(replies.map((r) => r.id)).toEqual([7]);
  });

  it.each([
    ['search', { query: 'q'.repeat(65_000) }],
    ['fetch', { id: 'i'.repeat(40_000) }],
  ])(
    'answers %s with an over-long argument at once with an error that does not echo it',
    async (name, args) => {
      const res = await post({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name, arguments: args },
      });
      const text = await res.text();
      expect(text).toMatch(/isError|-32602/);
      expect(text.length).toBeLessThan(2000);
    },
  );
});
