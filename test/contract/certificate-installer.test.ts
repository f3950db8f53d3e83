import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { loadAcmeCrypto } from '../../src/adapters/acme-client/load-acme-lib.js';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import { RecordingCertificateInstaller } from '../fakes/recording-certificate-installer.js';
import { sampleHttpTransport } from '../support/sample-http-transport.js';
import { type OpenConnection, runCertificateInstallerContract } from './certificate-installer.contract.js';

const DOMAIN = 'docs.example.com';

/** A self-signed certificate for DOMAIN over a new P-256 key, made by acme-client's own crypto. */
async function mintCertificate(): Promise<StoredCertificate> {
  const acmeCrypto = await loadAcmeCrypto();
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  // An ALPN challenge certificate is a plain self-signed certificate for the name, plus one extension.
  const [keyPem, certPem] = await acmeCrypto.createAlpnCertificate(
    { identifier: { type: 'dns', value: DOMAIN } } as never,
    'unused.key-authorization',
    key,
  );
  return { keyPem: keyPem.toString(), certPem: certPem.toString() };
}

const fingerprint = (cert: StoredCertificate) => new X509Certificate(cert.certPem).fingerprint256;

/** A keep-alive TLS connection; stillServed sends an HTTP/1.1 request over it and waits for a status line. */
function tlsConnection(port: number): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: DOMAIN, rejectUnauthorized: false });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS connection timed out')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        seen: socket.getPeerCertificate().fingerprint256,
        stillServed: () =>
          new Promise((answered) => {
            let text = '';
            const onData = (chunk: Buffer) => {
              text += chunk.toString('latin1');
              if (/^HTTP\/1\.1 \d{3}/.test(text)) {
                socket.off('data', onData);
                answered(true);
              }
            };
            socket.on('data', onData);
            socket.once('close', () => answered(false));
            socket.write(`GET /healthz HTTP/1.1\r\nHost: ${DOMAIN}\r\nConnection: keep-alive\r\n\r\n`);
          }),
        close: () => socket.destroy(),
      });
    });
  });
}

runCertificateInstallerContract('RecordingCertificateInstaller', async () => {
  const installer = new RecordingCertificateInstaller();
  return {
    installer,
    mint: async () => {
      const n = installer.installed.length + Math.random();
      return { certPem: `CERT ${n}`, keyPem: `KEY ${n}` };
    },
    identify: (cert) => cert.certPem,
    connect: async () => {
      const c = installer.openConnection();
      return { seen: c.cert?.certPem ?? '', stillServed: async () => c.open, close: () => c.close() };
    },
    cleanup: async () => {},
  };
});

// The transport serves HTTPS only once it has a certificate: it starts at the first connection,
// so the suite covers an install before start (the app's first certificate) and swaps while running.
runCertificateInstallerContract('HttpMcpTransport (https)', async () => {
  const transport = await sampleHttpTransport({ https: true, domain: DOMAIN });
  let started: Promise<{ port: number }> | undefined;
  return {
    installer: transport,
    mint: mintCertificate,
    identify: fingerprint,
    connect: async () => {
      started ??= transport.start();
      return tlsConnection((await started).port);
    },
    cleanup: () => transport.stop(),
  };
});
