import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateCrypto } from '../../src/ports/certificate-crypto.js';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_OPENSSL = opensslAvailable();

let work: string;
let fileNo = 0;
function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, {
    cwd: work,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
function file(name: string, text: string): string {
  const path = join(work, `${++fileNo}-${name}`);
  writeFileSync(path, text);
  return path;
}
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed certificate for `names` over an existing key, made by the openssl CLI. */
function selfSigned(names: readonly string[], keyPem: string): string {
  const san = names.map((n) => `DNS:${n}`).join(',');
  const keyPath = file('key.pem', keyPem);
  return openssl([
    'req',
    '-x509',
    '-key',
    keyPath,
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${san}`,
    '-days',
    '1',
  ]);
}

export interface MadeCrypto {
  readonly crypto: CertificateCrypto;
  /** A certificate for `names` over `keyPem`, in the format this implementation reads. */
  issue(names: string[], keyPem: string): Promise<string>;
}

export interface CryptoContractTools {
  /** A real self-signed X.509 certificate made by the openssl CLI (for real adapters). */
  selfSigned(names: readonly string[], keyPem: string): string;
}

/**
 * What every CertificateCrypto promises the domain: new keys differ, inspect reads names and tells
 * whether the key belongs to the certificate, and gives up quietly on garbage. With `x509`, also
 * what only a real implementation can show: PKCS#8 P-256 keys, CSRs and certificates checked by the
 * openssl CLI (the fake writes certificates as readable text, so there is no DER to check).
 */
export function runCertificateCryptoContract(
  name: string,
  make: (tools: CryptoContractTools) => MadeCrypto,
  { x509 }: { x509: boolean },
): void {
  const needsOpenssl = x509;
  if (needsOpenssl && !HAS_OPENSSL) console.warn(`${name}: openssl CLI not found, skipping its contract`);
  describe.skipIf(needsOpenssl && !HAS_OPENSSL)(`CertificateCrypto contract: ${name}`, () => {
    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'certdocs-crypto-'));
    });
    afterAll(() => {
      rmSync(work, { recursive: true, force: true });
    });
    const tools: CryptoContractTools = { selfSigned };

    it('makes a different key each time', async () => {
      const { crypto } = make(tools);
      expect(await crypto.newKey()).not.toBe(await crypto.newKey());
    });

    it('reads the names, and sees that the key matches the certificate it was issued for', async () => {
      const { crypto, issue } = make(tools);
      const keyPem = await crypto.newKey();
      const certPem = await issue(['a.example', 'b.example'], keyPem);
      expect(crypto.inspect({ certPem, keyPem })).toMatchObject({
        names: ['a.example', 'b.example'],
        keyMatches: true,
      });
    });

    it('sees that another key does not match', async () => {
      const { crypto, issue } = make(tools);
      const certPem = await issue(['a.example'], await crypto.newKey());
      expect(crypto.inspect({ certPem, keyPem: await crypto.newKey() })?.keyMatches).toBe(false);
      expect(crypto.inspect({ certPem, keyPem: 'not a key' })?.keyMatches).toBe(false);
    });

    it('returns undefined for something that is not a certificate', async () => {
      const { crypto } = make(tools);
      const keyPem = await crypto.newKey();
      for (const certPem of [
        '',
        'garbage',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      ]) {
        expect(crypto.inspect({ certPem, keyPem })).toBeUndefined();
      }
    });

    describe.skipIf(!x509)('X.509 (real adapters only: the fake has no DER for openssl to read)', () => {
      const { crypto } = make(tools);

      it('makes P-256 keys in PKCS#8 PEM', async () => {
        const pem = await crypto.newKey();
        expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n?$/);
        const key = createPrivateKey(pem);
        expect(key.asymmetricKeyType).toBe('ec');
        expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        expect(openssl(['pkey', '-noout', '-text'], pem)).toMatch(/NIST CURVE: P-256|prime256v1/);
      });

      it('makes a CSR with every name, signed by the given key', async () => {
        const keyPem = await crypto.newKey();
        const csr = await crypto.createCsr(['a.example', 'b.example'], keyPem);
        expect(csr).toMatch(/-----BEGIN CERTIFICATE REQUEST-----/);
        const text = openssl(['req', '-noout', '-text', '-verify'], csr);
        expect(text).toMatch(/Subject:.*CN\s*=\s*a\.example/);
        expect(text).toMatch(/DNS:a\.example, DNS:b\.example/);
        const csrPublicKey = openssl(['req', '-noout', '-pubkey'], csr);
        expect(csrPublicKey.trim()).toBe(
          createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString().trim(),
        );
      });

      describe('inspecting certificates made by openssl', () => {
        /** A PEM with its key: a certificate, or (before signing) a CSR in `certPem`. */
        interface Pem {
          certPem: string;
          keyPem: string;
        }
        let ca: Pem;
        let leaf: Pem;
        let selfSignedNoAki: Pem;

        /** Signs `csr` with `openssl ca`, the only CLI path to exact dates and a serial of our choosing. */
        function sign(csr: Pem, serialHex: string, ext: string, signer?: Pem): string {
          const db = file('index.txt', '');
          const serial = file('serial', `${serialHex}\n`);
          const cnf = file(
            'ca.cnf',
            [
              '[ca]',
              'default_ca = ca_default',
              '[ca_default]',
              `database = ${db}`,
              `serial = ${serial}`,
              `new_certs_dir = ${work}`,
              'default_md = sha256',
              'policy = policy_any',
              'unique_subject = no',
              '[policy_any]',
              'commonName = supplied',
              '',
            ].join('\n'),
          );
          const csrPath = file('req.csr', csr.certPem);
          const out = join(work, `${++fileNo}-cert.pem`);
          const who = signer
            ? ['-cert', file('ca.pem', signer.certPem), '-keyfile', file('ca.key', signer.keyPem)]
            : ['-selfsign', '-keyfile', file('self.key', csr.keyPem)];
          openssl([
            'ca',
            '-batch',
            '-notext',
            '-config',
            cnf,
            ...who,
            '-in',
            csrPath,
            '-out',
            out,
            '-startdate',
            '20260101000000Z',
            '-enddate',
            '20260401120000Z',
            '-extfile',
            file('ext', ext),
          ]);
          return readFileSync(out, 'utf8');
        }

        function newCsr(cn: string): Pem {
          const keyOut = join(work, `${++fileNo}-key.pem`);
          const csrPem = openssl(['req', '-new', ...EC, '-keyout', keyOut, '-subj', `/CN=${cn}`]);
          return { certPem: csrPem, keyPem: readFileSync(keyOut, 'utf8') };
        }

        /** The DER content octets of the serial INTEGER, read with asn1parse rather than our own parser. */
        function derSerialHex(certPem: string): string {
          const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: certPem });
          const lines = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], {
            input: der,
            encoding: 'utf8',
          });
          const m = lines.match(/^\s*(\d+):d=2\s+hl=(\d+)\s+l=\s*(\d+)\s+prim:\s+INTEGER/m);
          if (!m) throw new Error(`no serial in\n${lines}`);
          const start = Number(m[1]) + Number(m[2]);
          return der.subarray(start, start + Number(m[3])).toString('hex');
        }

        function akiHex(certPem: string): string | undefined {
          const text = openssl(['x509', '-noout', '-text'], certPem);
          const m = text.match(/X509v3 Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/);
          return m?.[1]?.replace(/:/g, '').toLowerCase();
        }

        const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

        beforeAll(() => {
          const caReq = newCsr('certdocs test CA');
          ca = {
            certPem: sign(caReq, '01', 'basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\n'),
            keyPem: caReq.keyPem,
          };
          const leafReq = newCsr('a.example');
          leaf = {
            certPem: sign(
              leafReq,
              '8F0102030405060708090A0B0C0D0E0F',
              'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:a.example,DNS:b.example\n' +
                'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n',
              ca,
            ),
            keyPem: leafReq.keyPem,
          };
          const ssReq = newCsr('a.example');
          selfSignedNoAki = {
            certPem: sign(
              ssReq,
              '0102',
              'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:a.example,DNS:B.Example\n',
            ),
            keyPem: ssReq.keyPem,
          };
        });

        it('reads names, dates, issuer and serial of a CA-signed certificate', () => {
          const info = crypto.inspect({ certPem: `${leaf.certPem}${ca.certPem}`, keyPem: leaf.keyPem });
          expect(info).toMatchObject({
            names: ['a.example', 'b.example'],
            notBefore: new Date('2026-01-01T00:00:00Z'),
            notAfter: new Date('2026-04-01T12:00:00Z'),
            keyMatches: true,
          });
          expect(info?.issuer).toMatch(/CN=certdocs test CA/);
          expect(info?.serialHex.replace(/^00/, '')).toBe('8f0102030405060708090a0b0c0d0e0f');
        });

        it('gives the ARI id as base64url(AKI keyid) "." base64url(DER serial), 0x00 prefix included', () => {
          const aki = akiHex(leaf.certPem);
          const serial = derSerialHex(leaf.certPem);
          expect(aki).toMatch(/^[0-9a-f]{40}$/);
          expect(serial).toBe('008f0102030405060708090a0b0c0d0e0f');
          const info = crypto.inspect({ certPem: leaf.certPem, keyPem: leaf.keyPem });
          expect(info?.ariId).toBe(`${b64u(aki as string)}.${b64u(serial)}`);
        });

        it('reads the leaf, not the issuer, when given the whole chain', () => {
          const info = crypto.inspect({ certPem: `${leaf.certPem}\n${ca.certPem}`, keyPem: ca.keyPem });
          expect(info?.names).toEqual(['a.example', 'b.example']);
          expect(info?.keyMatches).toBe(false);
        });

        it('reads a self-signed certificate without AKI: lowercase names, no ARI id', () => {
          const info = crypto.inspect(selfSignedNoAki);
          expect(akiHex(selfSignedNoAki.certPem)).toBeUndefined();
          expect(info).toMatchObject({
            names: ['a.example', 'b.example'],
            notBefore: new Date('2026-01-01T00:00:00Z'),
            notAfter: new Date('2026-04-01T12:00:00Z'),
            serialHex: derSerialHex(selfSignedNoAki.certPem),
            keyMatches: true,
          });
          expect(info?.ariId).toBeUndefined();
        });

        it('says the key does not match for another key, or a key of another type', () => {
          const rsa = openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
          expect(crypto.inspect({ certPem: leaf.certPem, keyPem: selfSignedNoAki.keyPem })?.keyMatches).toBe(
            false,
          );
          expect(crypto.inspect({ certPem: leaf.certPem, keyPem: rsa })?.keyMatches).toBe(false);
        });
      });
    });
  });
}
