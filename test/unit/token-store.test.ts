import { describe, expect, it, vi } from 'vitest';

// Counts the comparisons TokenStore makes: it must compare with every entry, match or not.
const compared = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.count++;
      return real.timingSafeEqual(a, b);
    },
  };
});

const { TokenFileAccessVerifier } = await import(
  '../../src/adapters/token-file/token-file-access-verifier.js'
);
const { newToken, parseTokens, sha256, TokenStore } = await import(
  '../../src/adapters/token-file/token-store.js'
);
const { AccessSettingError } = await import('../../src/domain/access-errors.js');
const { MemoryLogger } = await import('../fakes/memory-logger.js');

const T1 = 'first-token-0123456789abcdefghijklmnop';
const T2 = 'second-token-0123456789abcdefghijklmno';
const hashLine = (t: string) => `sha256:${sha256(t).toString('hex')}`;

/** A tokens file in memory: `write` changes it, `changed()` is what the watcher would call. */
function memoryFile(initial: string | Error) {
  let content: string | Error = initial;
  let onChange: (() => void) | undefined;
  return {
    io: {
      read: () => {
        if (content instanceof Error) throw content;
        return content;
      },
      watch: (_path: string, change: () => void) => {
        onChange = change;
        return () => {
          onChange = undefined;
        };
      },
    },
    write(next: string | Error) {
      content = next;
    },
    changed: () => onChange?.(),
    get watching() {
      return onChange !== undefined;
    },
  };
}

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('parseTokens', () => {
  it('reads plain tokens and sha256 lines, skipping comments and blank lines', () => {
    const { entries, badLines } = parseTokens(`# ops\n\n${T1}\n${hashLine(T2)} ci-bot\n  \n`);
    expect(entries).toHaveLength(2);
    expect(badLines).toEqual([]);
    expect(entries[0]?.digest.equals(sha256(T1))).toBe(true);
    expect(entries[1]?.digest.equals(sha256(T2))).toBe(true);
    expect(entries[1]?.subject).toBe('ci-bot');
  });

  it('names an unnamed token by a fingerprint that neither is the token nor its hash', () => {
    const [entry] = parseTokens(T1).entries;
    expect(entry?.subject).toMatch(/^token:[0-9a-f]{8}$/);
    expect(T1).not.toContain(entry?.subject.slice(6));
    expect(sha256(T1).toString('hex')).not.toContain(entry?.subject.slice(6));
  });

  it('reports lines that are neither by number, never by content', () => {
    expect(parseTokens(`${T1}\nnot"a token\nsha256:abc`).badLines).toEqual([2, 3]); // a cut-off hash too
  });

  it('takes hashes in either case', () => {
    const upper = `sha256:${sha256(T1).toString('hex').toUpperCase()}`;
    const store = new TokenStore();
    store.replace(parseTokens(upper).entries);
    expect(store.match(T1)).toBeDefined();
  });
});

describe('TokenStore', () => {
  it('matches a token by its hash, and nothing else', () => {
    const store = new TokenStore();
    store.replace(parseTokens(`${T1}\n${hashLine(T2)} bob`).entries);
    expect(store.match(T2)?.subject).toBe('bob');
    expect(store.match(T1)).toBeDefined();
    expect(store.match(`${T1}x`)).toBeUndefined();
    expect(store.match(T1.slice(0, -1))).toBeUndefined();
    expect(store.match('')).toBeUndefined();
  });

  it('compares with every entry in constant time, wherever the match is', () => {
    const store = new TokenStore();
    store.replace(parseTokens([T1, T2, 'third-token-0123456789abcdefghij'].join('\n')).entries);
    for (const candidate of [T1, 'third-token-0123456789abcdefghij', 'no-such-token-012345']) {
      compared.count = 0;
      store.match(candidate);
      expect(compared.count, candidate).toBe(3);
    }
  });
});

describe('newToken', () => {
  it('makes 32 random bytes in base64url, and the sha256 line that accepts it', () => {
    const a = newToken();
    const b = newToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.line).toBe(hashLine(a.token));
    const store = new TokenStore();
    store.replace(parseTokens(a.line).entries);
    expect(store.match(a.token)).toBeDefined();
  });
});

describe('TokenFileAccessVerifier', () => {
  it.each([
    ['missing', errno('ENOENT'), /cannot read \/etc\/certdocs\/tokens: no such file/],
    ['unreadable', errno('EACCES'), /not allowed to read it/],
    ['empty', '', /holds no token/],
    ['only comments', '# nobody yet\n', /holds no token/],
  ])('does not start with a %s file', (_label, content, message) => {
    const file = memoryFile(content);
    const verifier = new TokenFileAccessVerifier('/etc/certdocs/tokens', new MemoryLogger(), file.io);
    expect(() => verifier.start()).toThrow(AccessSettingError);
    expect(() => verifier.start()).toThrow(message);
    expect(file.watching).toBe(false);
  });

  it('rereads the file when it changes: new tokens work, removed ones stop working', async () => {
    const file = memoryFile(T1);
    const verifier = new TokenFileAccessVerifier('/tokens', new MemoryLogger(), file.io);
    verifier.start();
    expect((await verifier.verify(`Bearer ${T1}`)).ok).toBe(true);
    expect((await verifier.verify(`Bearer ${T2}`)).ok).toBe(false);
    file.write(hashLine(T2));
    file.changed();
    expect((await verifier.verify(`Bearer ${T2}`)).ok).toBe(true);
    expect((await verifier.verify(`Bearer ${T1}`)).ok).toBe(false);
    verifier.stop();
    expect(file.watching).toBe(false);
  });

  it('keeps its tokens while the file cannot be read (mid-replace), and revokes all when it is emptied', async () => {
    const file = memoryFile(T1);
    const logger = new MemoryLogger();
    const verifier = new TokenFileAccessVerifier('/tokens', logger, file.io);
    verifier.start();
    file.write(errno('ENOENT'));
    file.changed();
    expect((await verifier.verify(`Bearer ${T1}`)).ok).toBe(true);
    expect(logger.has('warn', 'keeping the tokens')).toBe(true);
    file.write('');
    file.changed();
    expect((await verifier.verify(`Bearer ${T1}`)).ok).toBe(false);
  });

  it('never logs a token, not even from a line it could not read', () => {
    const logger = new MemoryLogger();
    const file = memoryFile(`${T1}\nbad"${T2}`);
    new TokenFileAccessVerifier('/tokens', logger, file.io).start();
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain(T1);
    expect(logged).not.toContain(T2);
    expect(logger.has('warn', 'skipped')).toBe(true);
  });
});
