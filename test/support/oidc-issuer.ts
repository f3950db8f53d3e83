import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const MCP_CLIENT = { id: 'mcp-client', redirect: 'http://127.0.0.1/callback' };
export const ROBOT = { id: 'robot', secret: 'robot-secret-0123456789abcdef' };

/** A private signing key, as a JWK oidc-provider takes and a KeyLike jose can sign with. */
export async function signingKey(kid: string): Promise<{ jwk: JWK; privateKey: CryptoKey }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }, privateKey };
}

/**
 * oidc-provider on loopback, as an organisation's authorization server: a public client for the MCP
 * SDK (authorization code + PKCE, devInteractions: any login), a confidential one for
 * client_credentials, resource indicators (RFC 8707) issuing ES256 JWT access tokens with the
 * resource as audience. `restart(keys)` brings it back on the same port with other keys: a rotation.
 */
export class OidcIssuer {
  private server: Server | undefined;
  /** What access tokens look like from now on: JWTs, or opaque handles only introspection explains. */
  tokenFormat: 'jwt' | 'opaque' = 'jwt';
  private constructor(
    readonly issuer: string,
    private readonly port: number,
  ) {}

  static async start(keys: JWK[]): Promise<OidcIssuer> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const issuer = new OidcIssuer(`http://127.0.0.1:${port}`, port);
    await issuer.listen(keys);
    return issuer;
  }

  async restart(keys: JWK[]): Promise<void> {
    await this.close();
    await this.listen(keys);
  }

  /** A client_credentials token for `resource` with `scope` (the robot's way in). */
  async clientCredentials(resource: string, scope: string): Promise<string> {
    // After a restart the first request may meet a kept-alive socket of the old server.
    const res = await retryOnce(() =>
      fetch(`${this.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${ROBOT.id}:${ROBOT.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      }),
    );
    const body = (await res.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`no token: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  }

  private async listen(keys: JWK[]): Promise<void> {
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: MCP_CLIENT.id,
          token_endpoint_auth_method: 'none',
          redirect_uris: [MCP_CLIENT.redirect],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
        {
          client_id: ROBOT.id,
          client_secret: ROBOT.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      jwks: { keys },
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
      cookies: { keys: ['certdocs-test-cookie-key'] },
      scopes: ['openid', 'offline_access', 'docs:read', 'other'],
      findAccount: async (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: async () => ({ sub: id }),
      }),
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => undefined as unknown as string,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx: unknown, resource: string) => {
            if (!/^https?:\/\//.test(resource)) throw new errors.InvalidTarget();
            return {
              scope: 'docs:read other',
              audience: resource,
              accessTokenTTL: 300,
              accessTokenFormat: this.tokenFormat,
              ...(this.tokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
            };
          },
        },
      },
    });
    const server = createServer(provider.callback());
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.server = server;
  }
}

async function retryOnce<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch {
    return f();
  }
}

/**
 * What a person does in the browser, done with fetch: follow the authorization URL through
 * oidc-provider's development login and consent pages, and return the `code` from the redirect.
 */
export async function approveInBrowser(authorizationUrl: URL, login = 'alice'): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  let url = authorizationUrl.href;
  for (let step = 0; step < 12; step++) {
    const res = await send(url);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      const code = next.searchParams.get('code');
      if (next.href.startsWith(MCP_CLIENT.redirect) && code) return code;
      if (next.href.startsWith(MCP_CLIENT.redirect)) throw new Error(`authorization refused: ${next.search}`);
      url = next.href;
      continue;
    }
    const html = await res.text();
    // A login or consent page: submit it as the user would.
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`unexpected page at ${url}: ${res.status} ${html.slice(0, 200)}`);
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
    const submitted = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const after = submitted.headers.get('location');
    if (!after) throw new Error(`no redirect after ${prompt}: ${submitted.status}`);
    url = new URL(after, url).href;
  }
  throw new Error('the authorization did not finish');
}
