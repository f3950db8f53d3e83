import { createServer } from 'node:net';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoseAccessVerifier } from '../../src/adapters/jose/jose-access-verifier.js';
import { type AppConfig, parseConfig } from '../../src/app/config.js';
import { ACCESS_VERIFIER } from '../../src/ports/access-verifier.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { approveInBrowser, MCP_CLIENT, OidcIssuer, signingKey } from '../support/oidc-issuer.js';
import { type RunningApp, startServer } from '../support/start-server.js';

/** A free loopback port: the resource URI (the tokens' audience) has to name it before start. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function config(port: number, issuer: string): AppConfig {
  const parsed = parseConfig(
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--auth',
      'oauth',
      '--oauth-issuer',
      issuer,
      '--oauth-audience',
      `http://127.0.0.1:${port}/mcp`,
      '--oauth-scopes',
      'docs:read',
      '--log-level',
      'silent',
    ],
    {},
  );
  if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
  return parsed.config;
}

/** The MCP SDK's OAuthClientProvider, kept in memory; the "browser" is approveInBrowser. */
class TestOAuthProvider implements OAuthClientProvider {
  saved?: OAuthTokens;
  private verifier = '';
  private client: OAuthClientInformationMixed = { client_id: MCP_CLIENT.id };
  code?: string;
  readonly redirectUrl = MCP_CLIENT.redirect;
  readonly clientMetadata = {
    redirect_uris: [MCP_CLIENT.redirect],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    client_name: 'certdocs test',
  };
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.code = await approveInBrowser(url);
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe('certdocs as an OAuth resource server, against oidc-provider', () => {
  let issuer: OidcIssuer;
  let app: RunningApp;
  let mcpUrl: string;
  let resource: string;
  /** The token the SDK obtained for alice through the browser flow. */
  let aliceToken = '';
  const k1 = signingKey('k1');

  beforeAll(async () => {
    issuer = await OidcIssuer.start([(await k1).jwk]);
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    app = await startServer(config(port, issuer.issuer));
    mcpUrl = `${app.url}/mcp`;
  });
  afterAll(async () => {
    await app?.stop();
    await issuer?.close();
  });

  const call = (token?: string) =>
    fetch(mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('the MCP SDK client finds the issuer from the 401, gets a token with PKCE, and searches and fetches', async () => {
    const provider = new TestOAuthProvider();
    const connect = async () => {
      const client = new Client({ name: 'oauth-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
      return client;
    };
    // First attempt: 401 → metadata → authorization (our "browser" approves) → UnauthorizedError.
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    const first = new Client({ name: 'oauth-test', version: '1.0.0' });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.code).toBeDefined();
    await transport.finishAuth(provider.code as string);
    expect(provider.saved?.access_token).toBeDefined();
    aliceToken = provider.saved?.access_token ?? '';

    const client = await connect();
    const found = await client.callTool({ name: 'search', arguments: { query: 'certificate' } });
    expect(found.isError).toBeFalsy();
    const hits = (found.structuredContent as { results: { id: string }[] }).results;
    expect(hits.length).toBeGreaterThan(0);
    const doc = await client.callTool({ name: 'fetch', arguments: { id: hits[0]?.id } });
    expect(doc.isError).toBeFalsy();
    await client.close();
  });

  it('serves its metadata naming the resource, the issuer and the scopes', async () => {
    const res = await fetch(`${app.url}/.well-known/oauth-protected-resource/mcp`);
    expect(await res.json()).toMatchObject({
      resource,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['docs:read'],
    });
  });

  it('accepts a client_credentials token minted for it', async () => {
    expect((await call(await issuer.clientCredentials(resource, 'docs:read'))).status).toBe(200);
  });

  it('refuses a token for another audience: 401 invalid_token', async () => {
    const res = await call(await issuer.clientCredentials('http://other.example/mcp', 'docs:read'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /error="invalid_token", error_description="the token is for another audience/,
    );
  });

  it('refuses a token without the scope: 403 insufficient_scope', async () => {
    const res = await call(await issuer.clientCredentials(resource, 'other'));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="docs:read"/);
  });

  it("refuses an expired token signed with the issuer's own key: 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ scope: 'docs:read', client_id: 'robot' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer.issuer)
      .setAudience(resource)
      .setSubject('robot')
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 600)
      .sign((await k1).privateKey);
    const res = await call(expired);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error_description="the token has expired"/);
  });

  it('refuses a token signed with a key the issuer never published: 401', async () => {
    const stranger = await signingKey('k1-lookalike');
    const forged = await new SignJWT({ scope: 'docs:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1-lookalike', typ: 'at+jwt' })
      .setIssuer(issuer.issuer)
      .setAudience(resource)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    const res = await call(forged);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/a key the issuer does not publish/);
    // Same kid as the real key, wrong signature.
    const sameKid = await new SignJWT({ scope: 'docs:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer.issuer)
      .setAudience(resource)
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    expect((await call(sameKid)).status).toBe(401);
  });

  it('refuses no token with 401 and resource_metadata, and another caller on a session with 404', async () => {
    const res = await call();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    // alice (authorization code) opens a session; the robot (client_credentials) presents its id.
    const alice = aliceToken;
    const robot = await issuer.clientCredentials(resource, 'docs:read');
    const headers = (token: string, session?: string) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      ...(session ? { 'mcp-session-id': session } : {}),
    });
    const init = await fetch(mcpUrl, {
      method: 'POST',
      headers: headers(alice),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    const session = init.headers.get('mcp-session-id') ?? '';
    expect(session).not.toBe('');
    const list = (token: string) =>
      fetch(mcpUrl, {
        method: 'POST',
        headers: headers(token, session),
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
    expect((await list(robot)).status).toBe(404);
    expect((await list(alice)).status).toBe(200);
  });
});

describe('a key rotation at the issuer is followed without a restart', () => {
  it('accepts tokens signed with the new key once the issuer publishes it', async () => {
    const k1 = await signingKey('rot-1');
    const k2 = await signingKey('rot-2');
    const issuer = await OidcIssuer.start([k1.jwk]);
    const port = await freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const cfg = config(port, issuer.issuer);
    // The real adapter, with jose's refetch cooldown shortened so the test need not wait 30 s.
    const app = await startServer(cfg, {
      override: (c) =>
        c.register(ACCESS_VERIFIER, {
          useValue: new JoseAccessVerifier(
            { issuer: issuer.issuer, audience: resource, requiredScopes: ['docs:read'], jwksCooldownMs: 0 },
            new MemoryLogger(),
          ),
        }),
    });
    try {
      const post = (token: string) =>
        fetch(`${app.url}/api/search?q=tls`, { headers: { authorization: `Bearer ${token}` } });
      expect((await post(await issuer.clientCredentials(resource, 'docs:read'))).status).toBe(200);
      await issuer.restart([k2.jwk, k1.jwk]);
      const fresh = await issuer.clientCredentials(resource, 'docs:read');
      expect(JSON.parse(Buffer.from(fresh.split('.')[0] ?? '', 'base64url').toString()).kid).toBe('rot-2');
      expect((await post(fresh)).status).toBe(200);
    } finally {
      await app.stop();
      await issuer.close();
    }
  });
});
