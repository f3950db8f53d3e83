import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JoseAccessVerifier } from '../../src/adapters/jose/jose-access-verifier.js';
import { TokenFileAccessVerifier } from '../../src/adapters/token-file/token-file-access-verifier.js';
import { sha256 } from '../../src/adapters/token-file/token-store.js';
import { FakeAccessVerifier } from '../fakes/fake-access-verifier.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { TestIssuer } from '../support/test-issuer.js';
import { runAccessVerifierContract } from './access-verifier.contract.js';
import { tempDirEach } from './fresh-each.js';

const A = 'tok-alpha-0123456789abcdefghijklmnopqrstuv';
const B = 'tok-beta-0123456789abcdefghijklmnopqrstuvw';

runAccessVerifierContract('fake', async () => ({
  verifier: new FakeAccessVerifier(['docs:read'])
    .accept(A, 'alice')
    .accept(B, 'bob')
    .accept('no-scope', 'carol', []),
  valid: [A, B],
  foreign: 'tok-nobody-0123456789',
  lackingScope: 'no-scope',
  cleanup: async () => undefined,
}));

const dir = tempDirEach('certdocs-tokens-');
runAccessVerifierContract('token file (a plain token and a sha256 line)', async () => {
  const file = join(await dir(), 'tokens');
  await writeFile(file, `# certdocs tokens\n${A}\nsha256:${sha256(B).toString('hex')} bob\n`);
  const verifier = new TokenFileAccessVerifier(file, new MemoryLogger());
  verifier.start();
  return { verifier, valid: [A, B], foreign: 'tok-nobody-0123456789', cleanup: async () => verifier.stop() };
});

runAccessVerifierContract('jose (JWTs against a loopback issuer)', async () => {
  const issuer = await TestIssuer.start();
  const audience = 'https://docs.example.com/mcp';
  const verifier = new JoseAccessVerifier(
    { issuer: issuer.issuer, audience, requiredScopes: ['docs:read'] },
    new MemoryLogger(),
  );
  await verifier.start();
  return {
    verifier,
    valid: [
      await issuer.token({ aud: audience, scope: 'docs:read', sub: 'alice' }),
      await issuer.token({ aud: audience, scope: 'openid docs:read', sub: 'bob' }),
    ],
    foreign: await issuer.token({ aud: 'https://other.example/mcp', scope: 'docs:read' }),
    lackingScope: await issuer.token({ aud: audience, scope: 'openid' }),
    cleanup: () => issuer.close(),
  };
});
