import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredCertificate } from '../../domain/certificate.js';
import type { DomainName } from '../../domain/domain-name.js';

/** Where FsCertStore keeps a name's pair (a DomainName is a file name already). */
export function certFilePaths(dir: string, name: DomainName): { cert: string; key: string; fence: string } {
  const base = join(dir, name);
  return { cert: `${base}.cert.pem`, key: `${base}.key.pem`, fence: `${base}.fence` };
}

/**
 * The stored pair, read synchronously: for the first seconds of a start, when nothing else runs
 * yet and each asynchronous file operation would cost a trip through the thread pool before
 * HTTPS can listen. The same reading as FsCertStore.load() (a certificate that still waits as
 * `.new` beside an already renamed key is the current one), once: when a save changes the files
 * during the reads it gives up (undefined) and the caller takes the asynchronous path.
 */
export function readStoredCertificateSync(dir: string, name: DomainName): StoredCertificate | undefined {
  const p = certFilePaths(dir, name);
  try {
    const before = pairState(p);
    const certPath = before.certNew && !before.keyNew ? `${p.cert}.new` : p.cert;
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(p.key, 'utf8');
    const after = pairState(p);
    if (Object.keys(before).some((k) => before[k as keyof PairState] !== after[k as keyof PairState]))
      return undefined;
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

interface PairState {
  keyNew?: string;
  certNew?: string;
  key?: string;
  cert?: string;
}

function pairState(p: { cert: string; key: string }): PairState {
  return {
    keyNew: identity(`${p.key}.new`),
    certNew: identity(`${p.cert}.new`),
    key: identity(p.key),
    cert: identity(p.cert),
  };
}

function identity(path: string): string | undefined {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s && `${s.dev}:${s.ino}:${s.ctimeNs}`;
}
