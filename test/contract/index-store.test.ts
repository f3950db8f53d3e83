import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsIndexStore } from '../../src/adapters/filesystem/fs-index-store.js';
import { DocIndex } from '../../src/domain/doc-index.js';
import { InMemoryIndexStore } from '../fakes/in-memory-index-store.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { tempDirEach } from './fresh-each.js';
import { runIndexStoreContract } from './index-store.contract.js';

runIndexStoreContract('InMemoryIndexStore', async () => ({
  store: new InMemoryIndexStore(),
  cleanup: async () => {},
}));

runIndexStoreContract('FsIndexStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'certdocs-index-'));
  return {
    store: new FsIndexStore(join(dir, 'cache'), '1.0.0', new MemoryLogger()),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FsIndexStore specifics', () => {
  const tempDir = tempDirEach('certdocs-index-');
  const setup = async (version = '1.0.0') => {
    const dir = await tempDir();
    const logger = new MemoryLogger();
    return { dir, logger, store: new FsIndexStore(dir, version, logger) };
  };
  const sources = Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({
    id: path.replace(/\.md$/, ''),
    path,
    markdown,
  }));
  // More than one record of documents (500 a record), so slicing and reassembly are exercised.
  const many = Array.from({ length: 1_200 }, (_, i) => ({
    id: `doc-${i}`,
    path: `doc-${i}.md`,
    markdown: `# Page ${i}\n\nText number ${i}.\n\n## Details\n\nMore about ${i}.\n`,
  }));
  const snapshotOf = async (docs = sources) =>
    (await DocIndex.buildAsync(indexTools, docs, new Date(0))).snapshot('fp');

  it('keeps one private file per source and leaves no temporary files', async () => {
    const { dir, store } = await setup();
    await store.save('/docs/a', await snapshotOf());
    await store.save('/docs/b', await snapshotOf());
    await store.save('/docs/a', await snapshotOf());
    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^index-[0-9a-f]{16}\.v8$/.test(f))).toBe(true);
  });

  it('reassembles a corpus saved in several records', async () => {
    const { store } = await setup();
    const saved = await snapshotOf(many);
    await store.save('/docs', saved);
    const loaded = await store.load('/docs');
    expect(loaded?.documents).toHaveLength(1_200);
    expect(loaded).toEqual(saved);
  });

  it('treats a snapshot written by another certdocs version as missing, and says so', async () => {
    const { dir, store } = await setup('1.0.0');
    await store.save('/docs', await snapshotOf());
    const logger = new MemoryLogger();
    const newer = new FsIndexStore(dir, '1.1.0', logger);
    expect(await newer.load('/docs')).toBeUndefined();
    expect(logger.has('info', 'another version')).toBe(true);
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['not an index file', () => Buffer.from('{"hello": "world"}')],
    [
      'bytes flipped in a record',
      (b: Buffer) => Buffer.concat([b.subarray(0, 40), Buffer.alloc(64, 0xff), b.subarray(104)]),
    ],
    ['empty', () => Buffer.alloc(0)],
  ])('treats a damaged file (%s) as missing, with a warning', async (_, damage) => {
    const { dir, logger, store } = await setup();
    await store.save('/docs', await snapshotOf(many));
    const [file] = await readdir(dir);
    const path = join(dir, file as string);
    await writeFile(path, damage(await readFile(path)));
    expect(await store.load('/docs')).toBeUndefined();
    expect(logger.has('warn', 'damaged')).toBe(true);
  });
});

describe('FsIndexStore and unfinished saves', () => {
  it('removes temporary files whose writer is gone, keeps those of a live writer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certdocs-index-'));
    try {
      const logger = new MemoryLogger();
      const store = new FsIndexStore(dir, '1.0.0', logger);
      const docs = Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({ id: path, path, markdown }));
      const snapshot = await (await DocIndex.buildAsync(indexTools, docs, new Date(0))).snapshot('fp');
      await store.save('/docs', snapshot);
      const [file] = await readdir(dir);
      // A dead writer (a pid far above any pid_max), this process's own pid from an earlier run,
      // and a live writer (pid 1 always exists); plus another source's file, never touched.
      const dead = `${file}.tmp-999999999-1`;
      const ownEarlier = `${file}.tmp-${process.pid}-1`;
      const live = `${file}.tmp-1-1`;
      for (const name of [dead, ownEarlier, live, 'index-0000000000000000.v8.tmp-999999999-1'])
        await writeFile(join(dir, name), 'partial');
      await store.save('/docs', snapshot);
      expect((await readdir(dir)).sort()).toEqual(
        [file, live, 'index-0000000000000000.v8.tmp-999999999-1'].sort(),
      );
      expect(logger.has('info', 'unfinished index save')).toBe(true);
      expect(await store.load('/docs')).toEqual(snapshot);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
