import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccessIdentity } from '../../ports/access-verifier.js';

/** One accepted token, kept only as its SHA-256 digest. */
interface Entry {
  readonly digest: Buffer;
  readonly subject: string;
}

export interface ParsedTokens {
  readonly entries: readonly Entry[];
  /** Lines that are neither a token nor a hash, by number (their text is a secret, never shown). */
  readonly badLines: readonly number[];
}

const HASH_LINE = /^sha256:([0-9a-f]{64})$/i;
/** RFC 6750's b64token: what a client can send after `Bearer `. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function sha256(text: string | Buffer): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The tokens file: one token per line, or better its hash as `sha256:<hex>`; an optional name after
 * the token or hash (`sha256:… alice`) names the caller in logs and sessions. `#` starts a comment.
 */
export function parseTokens(text: string): ParsedTokens {
  const entries: Entry[] = [];
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [secret = '', ...rest] = line.split(/\s+/);
    const hash = HASH_LINE.exec(secret);
    if (!hash && !TOKEN.test(secret)) {
      badLines.push(i + 1);
      return;
    }
    const digest = hash ? Buffer.from(hash[1] as string, 'hex') : sha256(secret);
    // A fingerprint of the digest: stable across reloads and edits, and it reveals nothing useful.
    const subject = rest.join(' ') || `token:${sha256(digest).toString('hex').slice(0, 8)}`;
    entries.push({ digest, subject });
  });
  return { entries, badLines };
}

/**
 * The accepted tokens. A candidate is hashed and compared with every entry in constant time
 * (timingSafeEqual over equal-length digests, no early exit), so neither the comparison nor the
 * position of a match tells an attacker anything.
 */
export class TokenStore {
  private entries: readonly Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  replace(entries: readonly Entry[]): void {
    this.entries = entries;
  }

  match(token: string): AccessIdentity | undefined {
    const candidate = sha256(token);
    let found: Entry | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(candidate, e.digest) && !found) found = e;
    }
    return found ? { subject: found.subject, scopes: [] } : undefined;
  }
}

/** `certdocs token new`: a fresh token (32 random bytes, base64url) and the line to store for it. */
export function newToken(): { token: string; line: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, line: `sha256:${sha256(token).toString('hex')}` };
}
