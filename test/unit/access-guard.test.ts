import { afterAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/adapters/hono/access-guard.js';
import { createDocsHttpApp, type DocsHttpAccess } from '../../src/adapters/hono/docs-http-app.js';
import { DocsMcpServerFactory } from '../../src/adapters/mcp-sdk/docs-mcp-server.js';
import { LegacySseEndpoint } from '../../src/adapters/mcp-sdk/legacy-sse-endpoint.js';
import { StreamableHttpEndpoint } from '../../src/adapters/mcp-sdk/streamable-http-endpoint.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeAccessVerifier } from '../fakes/fake-access-verifier.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const RESOURCE = 'https://docs.example.com/mcp';
const METADATA_URL = 'https://docs.example.com/.well-known/oauth-protected-resource/mcp';
const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789';
const NO_SCOPE = 'carol-token-0123456789';

const logger = new MemoryLogger();
const docs = new ServeDocs(InMemoryDocSource.of(SAMPLE_DOCS), new FakeClock(), logger, indexTools);
await docs.load();
const factory = new DocsMcpServerFactory(docs, logger, { name: 'certdocs', version: '0.0.0-test' });
const endpoints: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const e of endpoints) await e.close();
});

function appWith(access: DocsHttpAccess | undefined, health?: () => Record<string, unknown>) {
  const create = () => factory.create();
  const streamable = new StreamableHttpEndpoint({ createServer: create, logger });
  const sse = new LegacySseEndpoint(create, logger);
  endpoints.push(streamable, sse);
  return createDocsHttpApp({
    guard: {
      allowedHosts: ['localhost', 'docs.example.com'],
      allowedOrigins: [],
      domains: ['docs.example.com'],
    },
    maxBodyBytes: 65536,
    docs,
    streamable,
    sse,
    logger,
    health,
    access,
  });
}

const verifier = new FakeAccessVerifier(['docs:read'])
  .accept(ALICE, 'alice')
  .accept(BOB, 'bob')
  .accept(NO_SCOPE, 'carol', []);
const oauth = appWith({
  verifier,
  metadata: {
    resource: RESOURCE,
    authorization_servers: ['https://login.example.com/realms/docs'],
    scopes_supported: ['docs:read'],
    bearer_methods_supported: ['header'],
  },
});
const tokenMode = appWith({ verifier }, () => ({ certificate: { notAfter: '2027-01-01' } }));

const HEADERS = {
  host: 'docs.example.com',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

function mcp(app: ReturnType<typeof appWith>, body: unknown, headers: Record<string, string> = {}) {
  return app.request('/mcp', {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

describe('access control at the HTTP edge', () => {
  it.each([
    ['POST', '/mcp'],
    ['GET', '/mcp'],
    ['DELETE', '/mcp'],
    ['GET', '/sse'],
    ['POST', '/message?sessionId=x'],
    ['GET', '/api/search?q=tls'],
    ['GET', '/metrics'],
  ])('%s %s without a token: 401 pointing at the metadata, no error code', async (method, path) => {
    const res = await oauth.request(path, {
      method,
      headers: HEADERS,
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA_URL}"`);
  });

  it('a bad token: 401 invalid_token with a description', async () => {
    const res = await mcp(oauth, listTools, bearer('forged-token-0123'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${METADATA_URL}", error="invalid_token", error_description="the token is not accepted"`,
    );
    expect(await res.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the token is not accepted',
    });
  });

  it('a token without the scope: 403 insufficient_scope naming the scope', async () => {
    const res = await mcp(oauth, listTools, bearer(NO_SCOPE));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${METADATA_URL}", error="insufficient_scope", error_description="the token lacks the scope docs:read", scope="docs:read"`,
    );
  });

  it('token mode: a realm instead of resource metadata', async () => {
    const res = await tokenMode.request('/api/search?q=tls', { headers: HEADERS });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="certdocs"');
    expect(
      (await tokenMode.request('/api/search?q=tls', { headers: { ...HEADERS, ...bearer(ALICE) } })).status,
    ).toBe(200);
  });

  it('an unreachable authorization server is a 503, not the client’s fault', () => {
    const res = refusal(
      { code: 'unavailable', description: 'the issuer’s keys could not be fetched' },
      METADATA_URL,
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('lets a valid token through to MCP and search', async () => {
    expect((await mcp(oauth, listTools, bearer(ALICE))).status).toBe(200);
    expect(
      (await oauth.request('/api/search?q=tls', { headers: { ...HEADERS, ...bearer(ALICE) } })).status,
    ).toBe(200);
  });

  it('serves the RFC 9728 metadata openly, bare and suffixed with /mcp', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const res = await oauth.request(path, { headers: HEADERS });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: ['https://login.example.com/realms/docs'],
        scopes_supported: ['docs:read'],
        bearer_methods_supported: ['header'],
      });
    }
    expect(
      (await tokenMode.request('/.well-known/oauth-protected-resource', { headers: HEADERS })).status,
    ).toBe(404);
  });

  it('exposes WWW-Authenticate to browser clients', async () => {
    const res = await mcp(oauth, listTools, { origin: 'https://docs.example.com' });
    expect(res.headers.get('access-control-expose-headers')).toContain('www-authenticate');
  });

  it('keeps /healthz open but bare, unless --health-details', async () => {
    const bare = await tokenMode.request('/healthz', { headers: HEADERS });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ status: 'ok' });
    const detailed = appWith({ verifier, healthDetails: true }, () => ({
      certificate: { notAfter: '2027-01-01' },
    }));
    const body = (await (await detailed.request('/healthz', { headers: HEADERS })).json()) as Record<
      string,
      unknown
    >;
    expect(body).toHaveProperty('docs');
    expect(body).toHaveProperty('certificate');
    const open = (await (
      await appWith(undefined).request('/healthz', { headers: HEADERS })
    ).json()) as Record<string, unknown>;
    expect(open).toHaveProperty('docs');
  });

  it('never logs the token', async () => {
    await mcp(oauth, listTools, bearer('forged-token-logged-0123'));
    expect(JSON.stringify(logger.lines)).not.toContain('forged-token-logged-0123');
  });
});

describe('sessions belong to who opened them', () => {
  async function openSession(token: string): Promise<string> {
    const res = await mcp(oauth, initialize, bearer(token));
    expect(res.status).toBe(200);
    const id = res.headers.get('mcp-session-id');
    if (!id) throw new Error('no session id');
    return id;
  }

  it('serves the session to its creator, 404 to another token, 401 to none', async () => {
    const id = await openSession(ALICE);
    const session = { 'mcp-session-id': id };
    expect((await mcp(oauth, listTools, { ...session, ...bearer(ALICE) })).status).toBe(200);
    expect((await mcp(oauth, listTools, { ...session, ...bearer(BOB) })).status).toBe(404);
    expect((await mcp(oauth, listTools, session)).status).toBe(401);
  });

  it("refuses another caller's GET stream and DELETE with 404, and the session survives", async () => {
    const id = await openSession(ALICE);
    const headers = { ...HEADERS, 'mcp-session-id': id, accept: 'text/event-stream', ...bearer(BOB) };
    expect((await oauth.request('/mcp', { method: 'GET', headers })).status).toBe(404);
    expect((await oauth.request('/mcp', { method: 'DELETE', headers })).status).toBe(404);
    expect((await mcp(oauth, listTools, { 'mcp-session-id': id, ...bearer(ALICE) })).status).toBe(200);
  });

  it('with access control off, sessions work as before (no owner)', async () => {
    const open = appWith(undefined);
    const res = await mcp(open, initialize);
    const id = res.headers.get('mcp-session-id') ?? '';
    expect((await mcp(open, listTools, { 'mcp-session-id': id })).status).toBe(200);
  });
});
