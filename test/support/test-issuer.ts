import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type Key = { kid: string; privateKey: CryptoKey; jwk: JWK };

/**
 * A minimal authorization server on loopback for the resource-server side: RFC 8414 metadata and a
 * JWKS, and JWTs signed on demand. `rotate()` publishes a new key; `strangerToken()` signs with a key
 * it never published. (The full OAuth flow runs against oidc-provider in test/integration.)
 */
export class TestIssuer {
  private keys: Key[] = [];
  private readonly stranger: Promise<Key>;
  jwksFetches = 0;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {
    this.stranger = makeKey('stranger');
  }

  static async start(): Promise<TestIssuer> {
    let self: TestIssuer | undefined;
    const server = createServer((req, res) => self?.handle(req.url ?? '', res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new TestIssuer(server, `http://127.0.0.1:${port}`);
    await self.rotate();
    return self;
  }

  /** Publishes a new signing key (the old one stays published, as issuers do during a rotation). */
  async rotate(): Promise<string> {
    const key = await makeKey(`k${this.keys.length + 1}`);
    this.keys.push(key);
    return key.kid;
  }

  async token(
    claims: { aud?: string | string[]; scope?: string; scp?: string[]; sub?: string; iss?: string } = {},
    opts: { expiresIn?: string | number; notBefore?: string | number; kid?: string } = {},
  ): Promise<string> {
    const key = opts.kid ? this.keys.find((k) => k.kid === opts.kid) : this.keys.at(-1);
    if (!key) throw new Error('no such key');
    return sign(key, { iss: this.issuer, sub: 'alice', ...claims }, opts);
  }

  async strangerToken(claims: { aud?: string; scope?: string } = {}): Promise<string> {
    return sign(await this.stranger, { iss: this.issuer, sub: 'mallory', ...claims }, {});
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(url: string, res: ServerResponse): void {
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url === '/.well-known/oauth-authorization-server') {
      json({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks` });
    } else if (url === '/jwks') {
      this.jwksFetches++;
      json({ keys: this.keys.map((k) => k.jwk) });
    } else res.writeHead(404).end();
  }
}

async function makeKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function sign(
  key: Key,
  claims: Record<string, unknown>,
  opts: { expiresIn?: string | number; notBefore?: string | number },
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m');
  if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
  return jwt.sign(key.privateKey);
}
