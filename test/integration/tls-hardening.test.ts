import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpMcpTransport } from '../../src/adapters/hono/http-mcp-transport.js';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import { sampleHttpTransport } from '../support/sample-http-transport.js';

/**
 * TLS 1.2 at least and no legacy cipher suites, on the first certificate and after a swap (set by
 * the server itself, so an operator's `--tls-min-v1.0` or `--tls-cipher-list` cannot loosen them);
 * HSTS on HTTPS responses only.
 */

const DOMAIN = 'docs.example.com';

/**
 * A self-signed P-256 certificate for DOMAIN, by the openssl CLI (as fake-acme-server.ts issues). Not
 * acme-client's ALPN certificate: its key usage rules out the TLS 1.2 suites this file checks.
 */
function mintCertificate(): StoredCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'certdocs-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${DOMAIN}`,
        '-addext',
        `subjectAltName=DNS:${DOMAIN}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The protocol negotiated, or the error's code when the handshake is refused. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: DOMAIN,
      rejectUnauthorized: false,
      ...options,
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.destroy();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(`refused: ${e.code ?? e.message}`));
  });
}

const TLS_1_1 = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
/** CBC with a SHA-1 MAC: in Node's default list (through HIGH), not in a modern one. */
const LEGACY_CBC = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' } as const;

describe('TLS settings of the HTTPS server', () => {
  let server: HttpMcpTransport;
  let port: number;
  beforeAll(async () => {
    server = await sampleHttpTransport({ https: true, domain: DOMAIN });
    server.install(mintCertificate());
    ({ port } = await server.start());
  });
  afterAll(() => server.stop());

  it('refuses TLS 1.1 and legacy cipher suites, and speaks TLS 1.3 and 1.2 with modern ones', async () => {
    expect(await handshake(port, TLS_1_1)).toMatch(/^refused/);
    expect(await handshake(port, LEGACY_CBC)).toMatch(/^refused/);
    expect(await handshake(port, {})).toBe('TLSv1.3');
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
  });

  it('keeps refusing them after the certificate is swapped', async () => {
    server.install(mintCertificate());
    expect(await handshake(port, TLS_1_1)).toMatch(/^refused/);
    expect(await handshake(port, LEGACY_CBC)).toMatch(/^refused/);
    expect(await handshake(port, {})).toBe('TLSv1.3');
  });

  it('sends Strict-Transport-Security on HTTPS responses', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/healthz',
            servername: DOMAIN,
            headers: { host: DOMAIN },
            rejectUnauthorized: false,
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.headers);
          },
        )
        .on('error', reject);
    });
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it("sends it on MCP calls too (answered on Node's request, before Hono)", async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const answer = await new Promise<{ status?: number; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        https
          .request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/mcp',
              servername: DOMAIN,
              headers: {
                host: DOMAIN,
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                'content-length': String(Buffer.byteLength(body)),
              },
              rejectUnauthorized: false,
              agent: false,
            },
            (res) => {
              res.resume();
              resolve({ status: res.statusCode, headers: res.headers });
            },
          )
          .on('error', reject)
          .end(body);
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(answer.headers.vary).toBe('Origin');
  });
});

describe('HSTS on plain HTTP', () => {
  it('is absent', async () => {
    const server = await sampleHttpTransport({ https: false, domain: DOMAIN });
    const { port } = await server.start();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
