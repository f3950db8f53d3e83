import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certFilePaths, readStoredCertificateSync } from '../../src/adapters/filesystem/cert-files.js';
import { FsCertStore } from '../../src/adapters/filesystem/fs-cert-store.js';
import type { DomainName } from '../../src/domain/domain-name.js';

const NAME = 'docs.example.test' as DomainName;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'certdocs-cert-files-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The early HTTPS path reads the pair synchronously; it must read what FsCertStore.load() reads.
describe('readStoredCertificateSync', () => {
  it('reads the pair FsCertStore saved', async () => {
    const dir = tempDir();
    await new FsCertStore(dir).save(NAME, { certPem: 'CERT 1', keyPem: 'KEY 1' });
    expect(readStoredCertificateSync(dir, NAME)).toEqual({ certPem: 'CERT 1', keyPem: 'KEY 1' });
    expect(readStoredCertificateSync(dir, NAME)).toEqual(await new FsCertStore(dir).load(NAME));
  });

  it('reads a certificate still waiting as .new beside a key already renamed, as load() does', async () => {
    const dir = tempDir();
    const p = certFilePaths(dir, NAME);
    writeFileSync(p.key, 'KEY 2');
    writeFileSync(p.cert, 'CERT 1');
    writeFileSync(`${p.cert}.new`, 'CERT 2');
    expect(readStoredCertificateSync(dir, NAME)).toEqual({ certPem: 'CERT 2', keyPem: 'KEY 2' });
    expect(await new FsCertStore(dir).load(NAME)).toEqual({ certPem: 'CERT 2', keyPem: 'KEY 2' });
  });

  it('gives undefined when a file of the pair is missing', () => {
    const dir = tempDir();
    expect(readStoredCertificateSync(dir, NAME)).toBeUndefined();
    writeFileSync(certFilePaths(dir, NAME).cert, 'CERT 1');
    expect(readStoredCertificateSync(dir, NAME)).toBeUndefined();
    expect(readStoredCertificateSync(join(dir, 'nowhere'), NAME)).toBeUndefined();
  });
});
