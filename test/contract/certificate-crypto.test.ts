import { NodeCertificateCrypto } from '../../src/adapters/node-crypto/node-certificate-crypto.js';
import { FakeCertificateCrypto, fakeCertPem } from '../fakes/fake-certificate-crypto.js';
import { runCertificateCryptoContract } from './certificate-crypto.contract.js';

runCertificateCryptoContract(
  'FakeCertificateCrypto',
  () => ({
    crypto: new FakeCertificateCrypto(),
    issue: async (names, key) =>
      fakeCertPem({
        names,
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2026-04-01T00:00:00Z',
        serial: '01',
        key,
        issuer: 'Fake CA',
      }),
  }),
  { x509: false },
);

runCertificateCryptoContract(
  'NodeCertificateCrypto',
  ({ selfSigned }) => ({
    crypto: new NodeCertificateCrypto(),
    issue: async (names, keyPem) => selfSigned(names, keyPem),
  }),
  { x509: true },
);
