import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FsCertStore } from '../../src/adapters/filesystem/fs-cert-store.js';
import { KeySealer } from '../../src/adapters/redis/key-sealer.js';
import { RedisCertStore } from '../../src/adapters/redis/redis-cert-store.js';
import { RedisConnection } from '../../src/adapters/redis/redis-connection.js';
import { RedisLeaseLock } from '../../src/adapters/redis/redis-lease-lock.js';
import { StaleFencingTokenError, StoreKeyError } from '../../src/domain/errors.js';
import { name } from '../fakes/domain-names.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { runCertStoreContract } from './cert-store.contract.js';
import { tempDirEach } from './fresh-each.js';
import { describeWithRedis } from './redis-server.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'certdocs-certstore-'));
}

runCertStoreContract('InMemoryCertStore', async () => ({
  store: new InMemoryCertStore(),
  cleanup: async () => {},
}));

runCertStoreContract('FsCertStore', async () => {
  const dir = await tempDir();
  return {
    store: new FsCertStore(join(dir, 'certs')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeWithRedis('RedisCertStore on a real redis-server', (shared) => {
  const KEY = new Uint8Array(32).fill(1);

  runCertStoreContract('RedisCertStore', async () => {
    const { redis, prefix, cleanup } = shared.connect();
    return { store: new RedisCertStore(redis, new KeySealer(undefined), prefix), cleanup };
  });

  runCertStoreContract('RedisCertStore with a store key', async () => {
    const { redis, prefix, cleanup } = shared.connect();
    return { store: new RedisCertStore(redis, new KeySealer(KEY), prefix), cleanup };
  });

  describe('RedisCertStore specifics', () => {
    const PAIR = { certPem: 'CERT\n', keyPem: '-----BEGIN PRIVATE KEY-----\nsecret\n' };
    const opened: Array<() => Promise<void>> = [];
    const connect = () => {
      const c = shared.connect();
      opened.push(c.cleanup);
      return c;
    };
    afterEach(async () => {
      for (const close of opened.splice(0)) await close();
    });

    it('with a store key, keeps no private key readable in Redis', async () => {
      const { redis, prefix } = connect();
      const store = new RedisCertStore(redis, new KeySealer(KEY), prefix);
      await store.save(name('docs.example.com'), PAIR);
      await store.saveAccount('https://ca.example/dir', {
        keyPem: 'ACCOUNT KEY',
        url: 'https://ca.example/a/1',
      });
      const client = await redis.get();
      const raw = JSON.stringify([
        await client.hGetAll(`${prefix}cert:docs.example.com`),
        await client.hGetAll(`${prefix}account`),
      ]);
      expect(raw).toContain('CERT');
      expect(raw).not.toContain('secret');
      expect(raw).not.toContain('ACCOUNT KEY');
    });

    it('refuses a wrong store key, or none for sealed keys, with a StoreKeyError (never "nothing stored")', async () => {
      const { redis, prefix } = connect();
      await new RedisCertStore(redis, new KeySealer(KEY), prefix).save(name('docs.example.com'), PAIR);
      await new RedisCertStore(redis, new KeySealer(KEY), prefix).saveAccount('https://ca.example/dir', {
        keyPem: 'ACCOUNT KEY',
      });
      const wrong = new RedisCertStore(redis, new KeySealer(new Uint8Array(32).fill(2)), prefix);
      await expect(wrong.load(name('docs.example.com'))).rejects.toThrow(StoreKeyError);
      await expect(wrong.load(name('docs.example.com'))).rejects.toMatchObject({ code: 'store.wrong_key' });
      await expect(wrong.loadAccount('https://ca.example/dir')).rejects.toMatchObject({
        code: 'store.wrong_key',
      });
      const none = new RedisCertStore(redis, new KeySealer(undefined), prefix);
      await expect(none.load(name('docs.example.com'))).rejects.toMatchObject({ code: 'store.key_missing' });
    });

    it('a sealed key copied under another name does not open', async () => {
      const { redis, prefix } = connect();
      const store = new RedisCertStore(redis, new KeySealer(KEY), prefix);
      await store.save(name('docs.example.com'), PAIR);
      const client = await redis.get();
      const fields = await client.hGetAll(`${prefix}cert:docs.example.com`);
      await client.hSet(`${prefix}cert:other.example.com`, fields);
      await expect(store.load(name('other.example.com'))).rejects.toMatchObject({ code: 'store.wrong_key' });
    });

    it('reads keys stored in the clear before a store key was set, and seals them on the next save', async () => {
      const { redis, prefix } = connect();
      await new RedisCertStore(redis, new KeySealer(undefined), prefix).save(name('docs.example.com'), PAIR);
      const sealed = new RedisCertStore(redis, new KeySealer(KEY), prefix);
      expect(await sealed.load(name('docs.example.com'))).toEqual(PAIR);
      await sealed.save(name('docs.example.com'), PAIR);
      const raw = await (await redis.get()).hGet(`${prefix}cert:docs.example.com`, 'key');
      expect(raw).not.toContain('secret');
    });

    it('a holder paused past its lease saves late and is refused: the pair of the replica that took over stays', async () => {
      const paused = connect();
      const other = connect();
      const prefix = paused.prefix;
      const lockA = new RedisLeaseLock(paused.redis, prefix);
      const lockB = new RedisLeaseLock(other.redis, prefix);
      const storeA = new RedisCertStore(paused.redis, new KeySealer(KEY), prefix);
      const storeB = new RedisCertStore(other.redis, new KeySealer(KEY), prefix);
      const docs = name('docs.example.com');

      const first = await lockA.tryAcquire('order:docs.example.com', 100);
      if (!first) throw new Error('the first lease was not granted');
      await delay(250); // the pause: the lease runs out meanwhile
      const second = await lockB.tryAcquire('order:docs.example.com', 10_000);
      if (!second) throw new Error('the lease that ran out was not granted again');
      expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
      const winner = { certPem: 'CERT winner\n', keyPem: 'KEY winner\n' };
      await storeB.save(docs, winner, second.fencingToken);

      // The paused holder wakes up and saves what it ordered.
      await expect(
        storeA.save(docs, { certPem: 'CERT late\n', keyPem: 'KEY late\n' }, first.fencingToken),
      ).rejects.toMatchObject({
        code: 'store.stale_fencing_token',
        fencingToken: first.fencingToken,
        highest: second.fencingToken,
      });
      expect(await storeA.load(docs)).toEqual(winner);
      const raw = await (await paused.redis.get()).hGetAll(`${prefix}cert:docs.example.com`);
      expect(raw.fence).toBe(String(second.fencingToken));
      expect(raw.cert).toBe(winner.certPem);
    });

    it('names the key it uses, without the password of the URL', async () => {
      const store = new RedisCertStore(
        new RedisConnection('redis://:hunter2@127.0.0.1:1/0'),
        new KeySealer(undefined),
      );
      const where = store.location(name('docs.example.com'));
      expect(where).toContain('certdocs:cert:docs.example.com');
      expect(where).not.toContain('hunter2');
    });
  });
});

describe('FsCertStore specifics', () => {
  const dir = tempDirEach('certdocs-certstore-');

  const OLD = { certPem: 'CERT old\n', keyPem: 'KEY old\n' };
  const NEW = { certPem: 'CERT new\n', keyPem: 'KEY new\n' };
  const NEWER = { certPem: 'CERT newer\n', keyPem: 'KEY newer\n' };
  const mode = async (path: string) => (await stat(path)).mode & 0o777;

  it("keeps the original server's file layout, with private keys at mode 0600", async () => {
    const d = await dir();
    const store = new FsCertStore(d);
    await store.save(name('docs.example.com'), OLD);
    await store.saveAccount('https://ca.example/dir', {
      keyPem: 'ACCOUNT KEY',
      url: 'https://ca.example/acct/1',
    });

    expect((await readdir(d)).sort()).toEqual([
      'account.json',
      'account.key.pem',
      'docs.example.com.cert.pem',
      'docs.example.com.key.pem',
    ]);
    expect(await readFile(join(d, 'docs.example.com.cert.pem'), 'utf8')).toBe(OLD.certPem);
    expect(await readFile(join(d, 'docs.example.com.key.pem'), 'utf8')).toBe(OLD.keyPem);
    expect(await readFile(join(d, 'account.key.pem'), 'utf8')).toBe('ACCOUNT KEY');
    expect(JSON.parse(await readFile(join(d, 'account.json'), 'utf8'))).toEqual({
      accounts: { 'https://ca.example/dir': 'https://ca.example/acct/1' },
    });
    expect(await mode(join(d, 'docs.example.com.key.pem'))).toBe(0o600);
    expect(await mode(join(d, 'account.key.pem'))).toBe(0o600);
  });

  /** Every file in the directory with its contents, to check that load() changed nothing. */
  const snapshot = async (d: string) =>
    Object.fromEntries(
      await Promise.all((await readdir(d)).sort().map(async (f) => [f, await readFile(join(d, f), 'utf8')])),
    );

  // load() only reads (the CLI loads while the server may be saving); save() cleans up first.
  it('loads the new pair when a write crashed between the two renames, and save finishes it', async () => {
    const d = await dir();
    const logger = new MemoryLogger();
    const store = new FsCertStore(d, logger);
    await store.save(name('docs.example.com'), OLD);
    // The new key was renamed into place; the new certificate is still waiting as .new.
    await writeFile(join(d, 'docs.example.com.key.pem'), NEW.keyPem, { mode: 0o600 });
    await writeFile(join(d, 'docs.example.com.cert.pem.new'), NEW.certPem);
    const files = await snapshot(d);

    expect(await store.load(name('docs.example.com'))).toEqual(NEW);
    expect(await snapshot(d)).toEqual(files);

    await store.save(name('docs.example.com'), NEWER);
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    expect(await readdir(d)).not.toContain('docs.example.com.cert.pem.new');
    expect(await store.load(name('docs.example.com'))).toEqual(NEWER);
  });

  it('keeps the old pair when a write crashed before any rename', async () => {
    const d = await dir();
    const store = new FsCertStore(d);
    await store.save(name('docs.example.com'), OLD);
    await writeFile(join(d, 'docs.example.com.key.pem.new'), NEW.keyPem, { mode: 0o600 });
    await writeFile(join(d, 'docs.example.com.cert.pem.new'), NEW.certPem);
    const files = await snapshot(d);

    expect(await store.load(name('docs.example.com'))).toEqual(OLD);
    expect(await snapshot(d)).toEqual(files);

    await store.save(name('docs.example.com'), NEWER);
    expect((await readdir(d)).filter((f) => f.endsWith('.new'))).toEqual([]);
    expect(await store.load(name('docs.example.com'))).toEqual(NEWER);
  });

  it('keeps the old pair when a write crashed while the new certificate was being written', async () => {
    const d = await dir();
    const store = new FsCertStore(d);
    await store.save(name('docs.example.com'), OLD);
    await writeFile(join(d, 'docs.example.com.key.pem.new'), NEW.keyPem, { mode: 0o600 });
    const files = await snapshot(d);

    expect(await store.load(name('docs.example.com'))).toEqual(OLD);
    expect(await snapshot(d)).toEqual(files);

    await store.save(name('docs.example.com'), NEWER);
    expect((await readdir(d)).filter((f) => f.endsWith('.new'))).toEqual([]);
    expect(await store.load(name('docs.example.com'))).toEqual(NEWER);
  });

  it('loads a whole pair, old or new, while another store saves', async () => {
    const d = await dir();
    const writer = new FsCertStore(d);
    const reader = new FsCertStore(d);
    await writer.save(name('docs.example.com'), OLD);
    let saving = true;
    const saves = (async () => {
      try {
        for (let i = 0; i < 20; i++) {
          await writer.save(name('docs.example.com'), i % 2 ? OLD : NEW);
          await delay(5);
        }
      } finally {
        saving = false;
      }
    })();
    const seen: unknown[] = [];
    while (saving) seen.push(await reader.load(name('docs.example.com')));
    await saves;
    for (const pair of seen) expect([OLD, NEW]).toContainEqual(pair);
    expect((await readdir(d)).filter((f) => f.endsWith('.new'))).toEqual([]);
  });

  it('keeps the highest fencing token in <name>.fence, written only by fenced saves; a refused save touches no file', async () => {
    const d = await dir();
    const store = new FsCertStore(d);
    await store.save(name('docs.example.com'), OLD);
    expect(await readdir(d)).not.toContain('docs.example.com.fence');
    await store.save(name('docs.example.com'), NEW, 4);
    expect(await readFile(join(d, 'docs.example.com.fence'), 'utf8')).toBe('4\n');
    const files = await snapshot(d);
    await expect(store.save(name('docs.example.com'), NEWER, 3)).rejects.toMatchObject({
      code: 'store.stale_fencing_token',
    });
    expect(await snapshot(d)).toEqual(files);
    // A second store object on the same directory (a restarted process) keeps the rule.
    await expect(new FsCertStore(d).save(name('docs.example.com'), NEWER, 2)).rejects.toThrow(
      StaleFencingTokenError,
    );
    expect(await snapshot(d)).toEqual(files);
  });

  it('says where a certificate is kept: the file save() writes', async () => {
    const d = await dir();
    const store = new FsCertStore(d);
    await store.save(name('docs.example.com'), OLD);
    expect(store.location(name('docs.example.com'))).toBe(join(d, 'docs.example.com.cert.pem'));
    expect(await readFile(store.location(name('docs.example.com')), 'utf8')).toBe(OLD.certPem);
  });

  it('treats an unreadable account.json as no URL, and warns', async () => {
    const d = await dir();
    const logger = new MemoryLogger();
    const store = new FsCertStore(d, logger);
    await store.saveAccount('https://ca.example/dir', {
      keyPem: 'ACCOUNT KEY',
      url: 'https://ca.example/acct/1',
    });
    await writeFile(join(d, 'account.json'), '{"accounts": {"https://ca.exa');

    const account = await store.loadAccount('https://ca.example/dir');
    expect(account?.keyPem).toBe('ACCOUNT KEY');
    expect(account?.url).toBeUndefined();
    expect(logger.has('warn', 'account.json')).toBe(true);
  });
});
