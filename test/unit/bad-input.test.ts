import { afterAll, describe, expect, it } from 'vitest';
import { inProcessDocsApp, MAX_BODY, MCP_HEADERS, STACK_TRACE } from '../support/in-process-docs-app.js';

/**
 * Whatever a client gets wrong gets a clear 4xx (or a JSON-RPC error / isError result a model can
 * act on): never a 5xx, a crash or a stack trace. Tried as an attacker would.
 */
const { app, streamable, close } = await inProcessDocsApp();
afterAll(close);

const postText = (text: string, headers: Record<string, string> = {}) =>
  app.request('/mcp', { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: text });
const post = (body: unknown, headers: Record<string, string> = {}) => postText(JSON.stringify(body), headers);
const call = (name: string, args: unknown, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** The answer's body, checked for what must never be in it. */
async function bodyOf(res: Response): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBeLessThan(500);
  expect(text).not.toMatch(STACK_TRACE);
  return text;
}

/** A tool call a client got wrong: a JSON-RPC error or an isError result, with a message. */
async function refusedCall(res: Response): Promise<string> {
  const text = await bodyOf(res);
  const reply = JSON.parse(text) as {
    error?: { message: string };
    result?: { isError?: boolean; content?: { text: string }[] };
  };
  if (reply.error) return reply.error.message;
  expect(reply.result?.isError, text).toBe(true);
  return reply.result?.content?.[0]?.text ?? '';
}

describe('bad input: JSON-RPC', () => {
  it.each([
    ['truncated JSON', '{"jsonrpc":"2.0",'],
    ['an empty body', ''],
    ['a bare string', '"hello"'],
    ['a deep array', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['an object without jsonrpc', '{"id":1,"method":"ping"}'],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"ping"}'],
    ['a numeric method', '{"jsonrpc":"2.0","id":1,"method":7}'],
    ['a batch of garbage', '[1,"a",null]'],
    ['a result nobody asked for', '{"jsonrpc":"2.0","id":99,"result":{}}'],
  ])('answers %s with a 4xx or a JSON-RPC error', async (_, text) => {
    const res = await postText(text);
    await bodyOf(res);
  });

  it('answers a batch of valid requests with a batch of replies, ids kept', async () => {
    const res = await post([
      call('search', { query: 'tls' }, 'a'),
      { jsonrpc: '2.0', id: 'b', method: 'ping' },
    ]);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }[]).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('refuses a batch over the limit and an initialize inside a batch with 400', async () => {
    const many = Array.from({ length: 33 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }));
    expect((await post(many)).status).toBe(400);
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };
    expect((await post([init, { jsonrpc: '2.0', id: 2, method: 'ping' }])).status).toBe(400);
  });

  it('answers a batch of notifications with 202', async () => {
    const res = await post([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(res.status).toBe(202);
  });

  it.each([
    ['text/plain', 415],
    ['application/jsonx', 415],
    ['multipart/form-data; boundary=x', 415],
  ])('refuses Content-Type %s with %i', async (type, status) => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'content-type': type });
    expect(res.status).toBe(status);
    await bodyOf(res);
  });

  it('refuses an oversized body sent without Content-Length (streamed) with 413', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ > (MAX_BODY / 1024) * 4) c.close();
        else c.enqueue(chunk);
      },
    });
    const res = await app.request('/mcp', {
      method: 'POST',
      headers: MCP_HEADERS,
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it.each([
    [
      'initialize without params',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} },
      'protocolVersion',
    ],
    [
      'initialize with a numeric protocolVersion',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 5 } },
      'protocolVersion',
    ],
    [
      'resources/read with a numeric uri',
      { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 5 } },
      'uri',
    ],
    ['tools/call without a name', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} }, 'name'],
  ])(
    'answers %s with -32602 naming the field, not an internal error with a schema dump',
    async (_, body, field) => {
      const sessions = streamable.sessionCount;
      const res = await post(body);
      const text = await bodyOf(res);
      const reply = JSON.parse(text) as { error: { code: number; message: string } };
      expect(reply.error.code, text).toBe(-32602);
      expect(reply.error.message).toContain(field);
      expect(reply.error.message).not.toContain('[\n');
      expect(res.headers.get('mcp-session-id')).toBeNull();
      expect(streamable.sessionCount).toBe(sessions);
    },
  );

  it('answers an unknown method with -32601', async () => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'no/such/method', params: {} });
    expect(JSON.parse(await bodyOf(res))).toMatchObject({ error: { code: -32601 } });
  });

  it('answers an unknown tool with a message naming it', async () => {
    expect(await refusedCall(await post(call('rm_rf', {})))).toContain('rm_rf');
  });
});

describe('bad input: tool arguments', () => {
  it.each([
    ['search', { query: 42 }],
    ['search', {}],
    ['search', { query: '   ' }],
    ['search', { query: 'tls', limit: -1 }],
    ['search', { query: 'tls', limit: 0 }],
    ['search', { query: 'tls', limit: 1.5 }],
    ['search', { query: 'tls', limit: 1e308 }],
    ['search', { query: 'tls', limit: '10' }],
    ['search', { query: 'tls', limit: null }],
    ['search', { query: 'tls', maxChars: -5 }],
    ['search', { query: 'tls', maxTokens: 2 ** 53 }],
    ['search', { query: 'x'.repeat(1001) }],
    ['fetch', { id: 'tls', offset: -1 }],
    ['fetch', { id: 'tls', offset: 0.5 }],
    ['fetch', { id: 'tls', maxChars: 1e9 }],
    ['fetch', { id: 'tls', maxTokens: -1 }],
    ['fetch', { id: '' }],
    ['fetch', { id: 'x'.repeat(600) }],
    ['list_documents', { limit: 10_000 }],
    ['list_documents', { offset: -3 }],
    ['list_documents', { prefix: 7 }],
    ['outline', { id: ['tls'] }],
    ['fetch', 'not an object'],
    ['search', null],
  ])('%s %j is refused with a message', async (name, args) => {
    expect((await refusedCall(await post(call(name, args)))).length).toBeGreaterThan(0);
  });

  it('reads a huge offset as the end of the text, not an error or a crash', async () => {
    const res = await post(call('fetch', { id: 'tls', offset: 2 ** 53 - 1 }));
    const reply = JSON.parse(await bodyOf(res)) as {
      result: { structuredContent: { text: string; metadata: { nextOffset: number | null } } };
    };
    expect(reply.result.structuredContent.text).toBe('');
    expect(reply.result.structuredContent.metadata.nextOffset).toBeNull();
  });

  it('answers Infinity (1e999 in JSON) as an invalid number', async () => {
    const text =
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"tls","limit":1e999}}}';
    expect((await refusedCall(await postText(text))).length).toBeGreaterThan(0);
  });

  it.each([
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '/etc/passwd',
    'tls\u0000.md',
    'C:\\Windows\\win.ini',
    'file:///etc/passwd',
  ])('treats the id %j as an id that names nothing', async (id) => {
    for (const name of ['fetch', 'outline']) {
      const message = await refusedCall(await post(call(name, { id })));
      expect(message).toMatch(/not found|no document|unknown/i);
      expect(message).not.toMatch(/root:|\[extensions\]/);
    }
  });
});

describe('bad input: plain HTTP routes and sessions', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { host: 'localhost', ...headers } });

  it.each([
    ['a 100 KB query', 400, `/api/search?q=${'a'.repeat(100_000)}`],
    ['a 100 KB query of encoded NULs', 400, `/api/search?q=${'%00'.repeat(33_000)}`],
    ['an infinite limit', 400, '/api/search?q=tls&limit=1e999'],
    ['a fractional limit', 400, '/api/search?q=tls&limit=2.5'],
    ['a negative limit (clamped)', 200, '/api/search?q=tls&limit=-5'],
    ['a huge limit (clamped)', 200, '/api/search?q=tls&limit=99999999999'],
    ['no q at all', 400, '/api/search'],
    ['a malformed percent-encoding (searched as written)', 200, '/api/search?q=%E0%A4%A'],
  ])('GET /api/search with %s answers %i', async (_, status, path) => {
    const res = await get(path);
    const text = await bodyOf(res);
    expect(res.status, text).toBe(status);
  });

  it.each(['POST', 'GET', 'DELETE'])('answers %s with an unknown session id with 404', async (method) => {
    const res = await app.request('/mcp', {
      method,
      headers: { ...MCP_HEADERS, accept: 'application/json, text/event-stream', 'mcp-session-id': '../../x' },
      body: method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) : undefined,
    });
    expect(res.status).toBe(404);
    await bodyOf(res);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['the opaque Origin null', { origin: 'null' }],
    ['a foreign Host', { host: 'evil.example' }],
    ['a Host with userinfo', { host: 'localhost@evil.example' }],
  ])('refuses %s with 403', async (_, headers) => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, headers);
    expect(res.status).toBe(403);
    await bodyOf(res);
  });

  it('answers an unknown route and an unknown method on /mcp without a 5xx', async () => {
    expect((await get('/../../etc/passwd')).status).toBe(404);
    expect((await app.request('/mcp', { method: 'PUT', headers: MCP_HEADERS })).status).toBeLessThan(500);
  });

  it('leaves nothing waiting', () => {
    expect(streamable.inFlight).toBe(0);
  });
});
