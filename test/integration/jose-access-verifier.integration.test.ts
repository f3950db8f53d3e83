import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { JoseAccessVerifier, metadataUrls } from '../../src/adapters/jose/jose-access-verifier.js';
import { AccessSettingError } from '../../src/domain/access-errors.js';
import type { AccessDecision } from '../../src/ports/access-verifier.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { OidcIssuer, ROBOT, signingKey } from '../support/oidc-issuer.js';
import { TestIssuer } from '../support/test-issuer.js';

const AUDIENCE = 'https://docs.example.com/mcp';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setUp(options: { now?: () => number; jwksCooldownMs?: number } = {}) {
  const issuer = await TestIssuer.start();
  cleanups.push(() => issuer.close());
  const logger = new MemoryLogger();
  const verifier = new JoseAccessVerifier(
    { issuer: issuer.issuer, audience: AUDIENCE, requiredScopes: ['docs:read'], ...options },
    logger,
  );
  await verifier.start();
  return { issuer, verifier, logger };
}

const described = (d: AccessDecision) => (d.ok ? 'ok' : `${d.failure.code}: ${d.failure.description}`);
const bearer = (t: string) => `Bearer ${t}`;

describe('JoseAccessVerifier', () => {
  it('finds the metadata as RFC 8414 says for issuers with a path, then OpenID Discovery', () => {
    expect(metadataUrls('https://login.example.com/realms/docs')).toEqual([
      'https://login.example.com/.well-known/oauth-authorization-server/realms/docs',
      'https://login.example.com/realms/docs/.well-known/openid-configuration',
    ]);
  });

  it('verifies a token once, then answers from its cache until the token expires', async () => {
    let now = Date.now();
    const { issuer, verifier } = await setUp({ now: () => now });
    const token = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { expiresIn: '2m' });
    expect(described(await verifier.verify(bearer(token)))).toBe('ok');
    const fetches = issuer.jwksFetches;
    await issuer.close(); // the cache needs nobody
    for (let i = 0; i < 100; i++) expect((await verifier.verify(bearer(token))).ok).toBe(true);
    expect(issuer.jwksFetches).toBe(fetches);
    now += 3 * 60_000;
    expect(described(await verifier.verify(bearer(token)))).toBe('invalid_token: the token has expired');
  });

  it('allows 30 s of clock skew on exp and nbf, not more', async () => {
    const { issuer, verifier } = await setUp();
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { expiresIn: now - 10 });
    expect(described(await verifier.verify(bearer(justExpired)))).toBe('ok');
    const soon = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { notBefore: now + 10 });
    expect(described(await verifier.verify(bearer(soon)))).toBe('ok');
    const later = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { notBefore: now + 300 });
    expect(described(await verifier.verify(bearer(later)))).toBe('invalid_token: the token is not valid yet');
    const old = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { expiresIn: now - 120 });
    expect(described(await verifier.verify(bearer(old)))).toBe('invalid_token: the token has expired');
  });

  it('names what is wrong: audience, issuer, unknown key', async () => {
    const { issuer, verifier, logger } = await setUp();
    const cases: [string, string][] = [
      [await issuer.token({ aud: 'https://other.example/mcp', scope: 'docs:read' }), 'for another audience'],
      [
        await issuer.token({ aud: AUDIENCE, scope: 'docs:read', iss: 'https://evil.example' }),
        'another issuer',
      ],
      [
        await issuer.strangerToken({ aud: AUDIENCE, scope: 'docs:read' }),
        'a key the issuer does not publish',
      ],
      ['not.a.jwt', 'malformed'],
    ];
    for (const [token, words] of cases) {
      const decision = await verifier.verify(bearer(token));
      expect(described(decision)).toContain(words);
    }
    expect(JSON.stringify(logger.lines)).not.toContain(cases[0]?.[0]);
  });

  it('accepts a token naming several audiences, this one among them', async () => {
    const { issuer, verifier } = await setUp();
    const listed = await issuer.token({ aud: ['https://a.example', AUDIENCE], scope: 'docs:read' });
    expect(described(await verifier.verify(bearer(listed)))).toBe('ok');
  });

  it('reads scopes from an Entra/Okta-style scp list as well as from scope', async () => {
    const { issuer, verifier } = await setUp();
    const scp = await issuer.token({ aud: AUDIENCE, scp: ['openid', 'docs:read'] });
    expect(described(await verifier.verify(bearer(scp)))).toBe('ok');
    const without = await issuer.token({ aud: AUDIENCE, scp: ['openid'] });
    expect(described(await verifier.verify(bearer(without)))).toMatch(/^insufficient_scope/);
  });

  it('follows a key rotation: a new kid makes it fetch the key set again', async () => {
    const { issuer, verifier } = await setUp({ jwksCooldownMs: 0 });
    expect(
      (await verifier.verify(bearer(await issuer.token({ aud: AUDIENCE, scope: 'docs:read' })))).ok,
    ).toBe(true);
    const kid = await issuer.rotate();
    const rotated = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' }, { kid });
    expect(described(await verifier.verify(bearer(rotated)))).toBe('ok');
  });

  it('says "unavailable" (503) when the key set cannot be fetched, not that the token is bad', async () => {
    const { issuer, verifier } = await setUp();
    const token = await issuer.token({ aud: AUDIENCE, scope: 'docs:read' });
    await issuer.close();
    const decision = await verifier.verify(bearer(token));
    expect(decision.ok ? undefined : decision.failure.code).toBe('unavailable');
  });

  it('does not start when the metadata is missing or names another issuer', async () => {
    const impostor = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: 'https://someone-else.example', jwks_uri: 'https://x/jwks' }));
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => impostor.close(() => r())));
    const url = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
    const start = (issuer: string) =>
      new JoseAccessVerifier({ issuer, audience: AUDIENCE, requiredScopes: [] }, new MemoryLogger()).start();
    await expect(start(url)).rejects.toThrow(/names the issuer "https:\/\/someone-else.example"/);
    await expect(start('http://127.0.0.1:1')).rejects.toBeInstanceOf(AccessSettingError);
  });
});

describe('JoseAccessVerifier: opaque tokens through RFC 7662 introspection (oidc-provider)', () => {
  it('introspects an opaque token with client credentials, and checks its audience and scope', async () => {
    const key = await signingKey('intro');
    const issuer = await OidcIssuer.start([key.jwk]);
    cleanups.push(() => issuer.close());
    issuer.tokenFormat = 'opaque';
    const make = (client?: { id: string; secret: string }) =>
      new JoseAccessVerifier(
        { issuer: issuer.issuer, audience: AUDIENCE, requiredScopes: ['docs:read'], client },
        new MemoryLogger(),
      );
    const verifier = make({ id: ROBOT.id, secret: ROBOT.secret });
    await verifier.start();
    const good = await issuer.clientCredentials(AUDIENCE, 'docs:read');
    expect(good.split('.')).toHaveLength(1);
    expect(described(await verifier.verify(bearer(good)))).toBe('ok');
    const narrow = await issuer.clientCredentials(AUDIENCE, 'other');
    expect(described(await verifier.verify(bearer(narrow)))).toMatch(/^insufficient_scope/);
    const elsewhere = await issuer.clientCredentials('https://other.example/mcp', 'docs:read');
    expect(described(await verifier.verify(bearer(elsewhere)))).toMatch(
      /^invalid_token: the token is not for this resource/,
    );
    expect(described(await verifier.verify(bearer('made-up-opaque-token')))).toMatch(
      /^invalid_token: the token is not active/,
    );
    // Without client credentials certdocs cannot ask, and says so.
    const blind = make();
    await blind.start();
    expect(described(await blind.verify(bearer(good)))).toMatch(/cannot introspect opaque tokens/);
  });
});
