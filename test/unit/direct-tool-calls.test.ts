import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeTransport } from '../../src/adapters/mcp-sdk/bridge-transport.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { initialize, post } from '../support/mcp-requests.js';

const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const info = { name: 'certdocs', version: '0.0.0-test' };

const call = (id: number | string, name: string, args?: unknown): JSONRPCRequest =>
  ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: args === undefined ? { name } : { name, arguments: args },
  }) as JSONRPCRequest;

/** The tool calls a client makes, right and wrong: the direct path must answer each as the SDK does. */
const CALLS: [string, JSONRPCRequest][] = [
  ['a search', call(1, 'search', { query: 'unref timer', limit: 3 })],
  ['a search with a token budget', call(2, 'search', { query: 'secure context', maxTokens: 60 })],
  ['a fetch of a section', call(3, 'fetch', { id: 'timers#timeoutunref' })],
  ['a fetch of a whole document, paged', call('s-4', 'fetch', { id: 'timers', maxChars: 500 })],
  ['a fetch of an unknown id (a domain error)', call(5, 'fetch', { id: 'no-such-doc' })],
  ['a search with an empty query', call(6, 'search', { query: '   ' })],
  ['a search with a limit of the wrong type', call(7, 'search', { query: 'timer', limit: 'ten' })],
  ['a fetch without arguments', call(8, 'fetch')],
  ['a fetch with an id too long', call(9, 'fetch', { id: 'x'.repeat(5000) })],
  ['a fetch with an offset below 0', call(10, 'fetch', { id: 'timers', offset: -1 })],
  ['unknown arguments beside the right ones', call(12, 'outline', { id: 'tls', extra: true })],
  ['list_documents', call(13, 'list_documents', { prefix: 't', limit: 1 })],
  // At and across the bounds the quick argument check (quick-schema-check.ts) must agree with zod.
  ['a fetch with the smallest page', call(14, 'fetch', { id: 'timers', maxChars: 500, maxTokens: 125 })],
  ['a fetch with a page just too small', call(15, 'fetch', { id: 'timers', maxChars: 499 })],
  ['a fetch with a fractional offset', call(16, 'fetch', { id: 'timers', offset: 1.5 })],
  ['a fetch with an offset past safe integers', call(17, 'fetch', { id: 'timers', offset: 2 ** 60 })],
  ['a fetch with an empty id', call(18, 'fetch', { id: '' })],
  ['a fetch with an id of 512 astral characters', call(19, 'fetch', { id: '😀'.repeat(512) })],
  ['a fetch with an id of 257 astral characters', call(20, 'fetch', { id: '😀'.repeat(257) })],
  ['a fetch with a null offset', call(21, 'fetch', { id: 'timers', offset: null })],
  ['a fetch with an id that is a number', call(22, 'fetch', { id: 7 })],
  ['a fetch with unknown arguments', call(23, 'fetch', { id: 'timers#timeoutunref', extra: [1] })],
];

describe('tool calls answered without a server (DirectToolCalls)', () => {
  const sdkMetrics = new RecordingMetrics();
  const directMetrics = new RecordingMetrics();
  const viaSdk = new DocsMcpServerFactory(docs, logger, info, sdkMetrics);
  const server = viaSdk.create('streamable-http');
  const bridge = new BridgeTransport();
  const connected = server.connect(bridge);
  const direct = new DocsMcpServerFactory(docs, logger, info, directMetrics).directCalls('streamable-http');
  afterAll(() => server.close());

  it.each(CALLS)('answer %s as the SDK server does', async (_, request) => {
    await connected;
    const expected = await bridge.request(request);
    const answered = direct.answer(request);
    expect(answered).toBeDefined();
    const reply = (await answered) as JSONRPCMessage;
    expect(reply).toEqual(expected);
    // Written without serializing the structured content twice, yet the same JSON text.
    const rendered = direct.render(reply);
    if (rendered !== undefined) expect(rendered).toBe(JSON.stringify(reply));
    // A search reply also as UTF-8 bytes from kept pieces: the same JSON text, byte for byte.
    const bytes = direct.renderBytes(reply);
    if (bytes !== undefined) expect(Buffer.from(bytes).equals(Buffer.from(JSON.stringify(reply)))).toBe(true);
  });

  it('records each call in the metrics as the server does', () => {
    const strip = (m: RecordingMetrics) => m.requests.map(({ ms: _, ...r }) => r);
    expect(strip(directMetrics)).toEqual(strip(sdkMetrics));
    expect(strip(directMetrics).filter((r) => !r.ok).length).toBeGreaterThan(3);
  });

  it('renders the replies of successful calls, and nothing else', async () => {
    const ok = (await direct.answer(call(20, 'fetch', { id: 'tls' }))) as JSONRPCMessage;
    expect(direct.render(ok)).toBe(JSON.stringify(ok));
    const failed = (await direct.answer(call(21, 'fetch', { id: 'no-such-doc' }))) as JSONRPCMessage;
    expect(direct.render(failed)).toBeUndefined();
    expect(direct.render({ jsonrpc: '2.0', id: 22, result: { content: [] } })).toBeUndefined();
    expect(direct.renderBytes(failed)).toBeUndefined();
  });

  it('renders search and fetch replies as UTF-8 bytes too', async () => {
    const found = (await direct.answer(
      call('s-23', 'search', { query: 'unref timer', limit: 3 }),
    )) as JSONRPCMessage;
    const bytes = direct.renderBytes(found);
    expect(bytes).toBeDefined();
    expect(Buffer.from(bytes as Uint8Array).toString('utf8')).toBe(JSON.stringify(found));
    // A whole text (from kept bytes, twice: the second from the kept shape) and a page of one.
    for (const args of [{ id: 'tls' }, { id: 'tls' }, { id: 'timers', offset: 7, maxChars: 500 }]) {
      const fetched = (await direct.answer(call(24, 'fetch', args))) as JSONRPCMessage;
      const fetchedBytes = direct.renderBytes(fetched);
      expect(fetchedBytes).toBeDefined();
      expect(Buffer.from(fetchedBytes as Uint8Array).equals(Buffer.from(JSON.stringify(fetched)))).toBe(true);
      direct.release(fetchedBytes as Uint8Array);
    }
  });

  it('leaves other methods, unknown tools and task-augmented calls to the server', () => {
    expect(direct.answer({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBeUndefined();
    expect(direct.answer(call(2, 'rm_rf_everything', {}))).toBeUndefined();
    const task = call(3, 'search', { query: 'timer' });
    (task.params as Record<string, unknown>).task = { ttl: 1000 };
    expect(direct.answer(task)).toBeUndefined();
    // The SDK answers these with a JSON-RPC error of its request schema, not a tool result.
    expect(direct.answer(call(4, 'outline', 'timers'))).toBeUndefined();
    expect(direct.answer(call(5, 'outline', ['timers']))).toBeUndefined();
  });
});

describe('the Streamable HTTP endpoint with direct tool calls', () => {
  const factory = new DocsMcpServerFactory(docs, logger, info);
  const plain = new StreamableHttpEndpoint({ createServer: () => factory.create(), logger });
  const fast = new StreamableHttpEndpoint({
    createServer: () => factory.create(),
    direct: factory.directCalls('streamable-http'),
    logger,
  });
  afterAll(async () => {
    await plain.close();
    await fast.close();
  });
  const reply = async (e: StreamableHttpEndpoint, m: object, session?: string) => {
    const res = await e.handle(post(m, session), m);
    return { status: res.status, body: (await res.json()) as JSONRPCMessage | JSONRPCMessage[] };
  };

  it('answers stateless calls, batches and session calls alike', async () => {
    const batch = [call(1, 'search', { query: 'timer' }), call(2, 'fetch', { id: 'tls' })];
    expect(await reply(fast, batch)).toEqual(await reply(plain, batch));
    const single = call(3, 'outline', { id: 'timers' });
    expect(await reply(fast, single)).toEqual(await reply(plain, single));
    const opened = await fast.handle(post(initialize), initialize);
    const session = opened.headers.get('mcp-session-id') as string;
    expect(await reply(fast, single, session)).toEqual(await reply(plain, single));
    expect(fast.inFlight).toBe(0);
  });
});
