import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { missingBytes, parseClientHello } from '../../src/adapters/node-tls/client-hello.js';

/** Captures the first bytes a real Node TLS client sends. */
async function captureHello(servername: string, alpn: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c) => {
        chunks.push(c);
        const buf = Buffer.concat(chunks);
        if (missingBytes(buf) === 0) {
          socket.destroy();
          server.close();
          resolve(buf);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      connect({ host: '127.0.0.1', port, servername, ALPNProtocols: alpn }).on('error', () => undefined);
    });
    server.on('error', reject);
  });
}

describe('ClientHello parsing (TLS-ALPN-01 routing)', () => {
  it('reads SNI and ALPN from a real handshake', async () => {
    const hello = await captureHello('docs.example.test', ['acme-tls/1']);
    expect(parseClientHello(hello)).toEqual({ servername: 'docs.example.test', alpn: ['acme-tls/1'] });
  });

  it('sees ordinary clients as ordinary', async () => {
    const hello = await captureHello('docs.example.test', ['h2', 'http/1.1']);
    expect(parseClientHello(hello)?.alpn).toEqual(['h2', 'http/1.1']);
  });

  it('recognises non-TLS bytes and incomplete records', () => {
    expect(missingBytes(Buffer.from('GET / HTTP/1.1\r\n'))).toBe(-1);
    expect(missingBytes(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10]))).toBe(16);
    expect(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x01, 0x02]))).toBeUndefined();
  });
});
