import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessDocsApp, MCP_HEADERS, STACK_TRACE } from '../support/in-process-docs-app.js';

/**
 * Random JSON-RPC (valid shapes with random params, garbage, batches) and random tool arguments
 * thrown at the real HTTP app in-process. Reproduce a failure with FUZZ_SEED=<seed> (printed);
 * FUZZ_RUNS=3000 searches longer.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ANSWER_WITHIN_MS = 2000;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

const INTERNAL_ERROR = /"code":-32603|Internal error while running the tool/;

const { app, streamable, close } = await inProcessDocsApp();
afterAll(close);
/** A real session, so that some fuzzed requests reach a session's server (and may DELETE it). */
const liveSession = (
  await app.request('/mcp', {
    method: 'POST',
    headers: MCP_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    }),
  })
).headers.get('mcp-session-id') as string;

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.object({ maxDepth: 2, maxKeys: 3 }),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1, 0.5, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER),
  junk,
);
/**
 * A value in a template string, as before, but for the objects fc.object() makes that have no
 * usable toString (`{ toString: 0 }`, a null prototype), on which `${v}` throws in the generator.
 */
function asText(v: unknown): string {
  try {
    return `${v}`;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

const id = fc.oneof(
  fc.constantFrom(
    'tls',
    'timers',
    'guide/files',
    'tls#tlscreatesecurecontextoptions',
    'timers#',
    '../../etc/passwd',
  ),
  fc.constantFrom('%2e%2e%2f', 'tls\u0000', '/etc/passwd', 'a'.repeat(600), ''),
  fc.string({ maxLength: 60 }),
  junk,
);
const toolArguments = fc.record(
  {
    query: fc.oneof(
      fc.constantFrom('tls', 'secure context', 'readline stream', '   '),
      fc.string({ maxLength: 1200 }),
      junk,
    ),
    id,
    offset: number,
    limit: number,
    maxChars: number,
    maxTokens: number,
    prefix: fc.oneof(fc.string({ maxLength: 10 }), junk),
  },
  { requiredKeys: [] },
);
const rpcId = fc.oneof(
  { arbitrary: fc.integer(), weight: 4 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 4 },
  { arbitrary: junk, weight: 1 },
);
const toolCall = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: rpcId,
  method: fc.constant('tools/call'),
  params: fc.record(
    {
      name: fc.oneof(
        { arbitrary: fc.constantFrom('search', 'fetch', 'list_documents', 'outline'), weight: 6 },
        { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
      ),
      arguments: fc.oneof({ arbitrary: toolArguments, weight: 6 }, { arbitrary: junk, weight: 1 }),
    },
    { requiredKeys: ['name'] },
  ),
});
const method = fc.oneof(
  fc.constantFrom(
    'ping',
    'initialize',
    'tools/list',
    'tools/call',
    'resources/list',
    'resources/read',
    'resources/templates/list',
    'resources/subscribe',
    'prompts/list',
    'logging/setLevel',
    'completion/complete',
    'notifications/initialized',
    'notifications/cancelled',
  ),
  fc.string({ maxLength: 20 }),
);
const shapedMessage = fc.record(
  {
    jsonrpc: fc.constant('2.0'),
    id: rpcId,
    method,
    params: fc.oneof(
      {
        arbitrary: fc.record(
          {
            uri: fc.oneof(
              id.map((i) => `docs://${asText(i)}`),
              junk,
            ),
            cursor: fc.oneof(fc.string(), junk),
            requestId: rpcId,
          },
          { requiredKeys: [] },
        ),
        weight: 4,
      },
      { arbitrary: fc.object({ maxDepth: 2 }), weight: 2 },
      { arbitrary: junk, weight: 1 },
    ),
  },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const message = fc.oneof(
  { arbitrary: toolCall, weight: 4 },
  { arbitrary: shapedMessage, weight: 3 },
  { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 },
);
const body = fc.oneof(
  { arbitrary: message.map((m) => JSON.stringify(m) ?? ''), weight: 4 },
  { arbitrary: fc.array(message, { maxLength: 40 }).map((b) => JSON.stringify(b)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
  {
    arbitrary: fc.constantFrom('', '{', '[', '{"jsonrpc":"2.0","id":1,"method":"ping"', 'null', '[[]]'),
    weight: 1,
  },
);
/** Mostly what a client sends, sometimes something wrong. */
const mostly = (usual: string, ...odd: string[]) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 6 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });
const rarely = (arb: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: arb, weight: 1 });
const headers = fc
  .record({
    'content-type': mostly('application/json', 'application/json; charset=utf-8', 'text/plain', ''),
    accept: mostly(
      'application/json, text/event-stream',
      'text/event-stream',
      'application/json',
      'text/html',
    ),
    'mcp-session-id': rarely(
      fc.oneof(
        fc.constant(liveSession),
        fc.uuid(),
        fc.string({ maxLength: 10 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
      ),
    ),
    'mcp-protocol-version': rarely(fc.constantFrom('2025-06-18', '2025-03-26', '1999-01-01', 'x')),
  })
  .map(
    (h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>,
  );
const mcpRequest = fc.record({
  kind: fc.constant('mcp' as const),
  method: fc.oneof(
    { arbitrary: fc.constant('POST'), weight: 8 },
    { arbitrary: fc.constantFrom('GET', 'DELETE', 'PUT'), weight: 1 },
  ),
  body,
  headers,
});
const searchRequest = fc.record({
  kind: fc.constant('search' as const),
  q: fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 50 })),
  limit: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 8 }), number.map(String)),
});
const request = fc.oneof({ arbitrary: mcpRequest, weight: 4 }, { arbitrary: searchRequest, weight: 1 });

type Fuzzed = typeof request extends fc.Arbitrary<infer T> ? T : never;

function send(r: Fuzzed): Promise<Response> {
  if (r.kind === 'search') {
    const params = new URLSearchParams({ q: r.q, ...(r.limit !== undefined ? { limit: r.limit } : {}) });
    return Promise.resolve(app.request(`/api/search?${params}`, { headers: { host: 'localhost' } }));
  }
  const withBody = r.method === 'POST' || r.method === 'PUT';
  return Promise.resolve(
    app.request('/mcp', {
      method: r.method,
      headers: { ...MCP_HEADERS, ...r.headers, host: 'localhost' },
      body: withBody ? r.body : undefined,
    }),
  );
}

async function answered(r: Fuzzed): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([send(r), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzzing the HTTP app', () => {
  it(`answers ${RUNS} random requests in bounded time, never with a 5xx or a stack trace (seed ${seed})`, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const res = await answered(r);
          const text =
            res.body && res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
          if (res.status >= 500) throw new Error(`${res.status}: ${text.slice(0, 300)}`);
          if (STACK_TRACE.test(text)) throw new Error(`a stack trace in the body: ${text.slice(0, 300)}`);
          // An internal error is the server failing on a client's mistake, whatever the status.
          if (INTERNAL_ERROR.test(text)) throw new Error(`an internal error: ${text.slice(0, 300)}`);
          if (res.body && !text) await res.body.cancel();
        }),
        { numRuns: RUNS, seed, endOnFailure: false },
      );
    } catch (e) {
      throw new Error(`reproduce with FUZZ_SEED=${seed}\n${(e as Error).message}`);
    }
  }, 30_000);

  it('is still healthy afterwards: nothing waiting, a normal search works', async () => {
    expect(streamable.inFlight).toBe(0);
    const res = await app.request('/mcp', {
      method: 'POST',
      headers: MCP_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'search', arguments: { query: 'secure context' } },
      }),
    });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { result: { structuredContent: { results: { id: string }[] } } };
    expect(reply.result.structuredContent.results[0]?.id).toBe('tls#tlscreatesecurecontextoptions');
    expect((await app.request('/healthz', { headers: { host: 'localhost' } })).status).toBe(200);
  });
});
