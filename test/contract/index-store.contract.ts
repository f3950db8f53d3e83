import { describe, expect, it } from 'vitest';
import type { Bm25Snapshot } from '../../src/adapters/minisearch/fielded-bm25.js';
import { DocIndex } from '../../src/domain/doc-index.js';
import type { IndexSnapshot } from '../../src/domain/index-snapshot.js';
import type { IndexStore } from '../../src/ports/index-store.js';
import { indexTools } from '../fakes/index-tools.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { freshEach } from './fresh-each.js';

export interface MadeIndexStore {
  readonly store: IndexStore;
  cleanup(): Promise<void>;
}

const SOURCES = Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({
  id: path.replace(/\.md$/, ''),
  path,
  markdown,
}));

async function snapshot(fingerprint: string): Promise<IndexSnapshot> {
  return (await DocIndex.buildAsync(indexTools, SOURCES, new Date('2026-01-01T00:00:00Z'))).snapshot(
    fingerprint,
  );
}

/**
 * What every IndexStore promises: a snapshot comes back as saved (typed arrays included), per
 * source, and the last save wins. Run against the in-memory fake and the filesystem adapter.
 */
export function runIndexStoreContract(name: string, makeStore: () => Promise<MadeIndexStore>): void {
  describe(`IndexStore contract: ${name}`, () => {
    const make = freshEach<MadeIndexStore>();
    const fresh = async () => (await make(makeStore)).store;

    it('has a description, since it keeps something', async () => {
      expect((await fresh()).description).toBeTruthy();
    });

    it('loads nothing for a source never saved', async () => {
      expect(await (await fresh()).load('/docs')).toBeUndefined();
    });

    it('loads a snapshot exactly as saved, typed arrays included, and only for its source', async () => {
      const store = await fresh();
      const saved = await snapshot('fp-1');
      await store.save('/docs', saved);
      const loaded = await store.load('/docs');
      expect(loaded).toEqual(saved);
      expect((loaded?.engine as Bm25Snapshot | undefined)?.postingDocs).toBeInstanceOf(Int32Array);
      expect((loaded?.engine as Bm25Snapshot | undefined)?.postingImpacts).toBeInstanceOf(Float64Array);
      expect(await store.load('/other-docs')).toBeUndefined();
    });

    it('replaces the previous snapshot of a source', async () => {
      const store = await fresh();
      await store.save('/docs', await snapshot('fp-1'));
      await store.save('/docs', await snapshot('fp-2'));
      expect((await store.load('/docs'))?.fingerprint).toBe('fp-2');
    });

    it('gives back a snapshot that restores an index ranking like the original', async () => {
      const store = await fresh();
      const built = await DocIndex.buildAsync(indexTools, SOURCES, new Date('2026-01-01T00:00:00Z'));
      await store.save('/docs', await built.snapshot('fp'));
      const loaded = await store.load('/docs');
      const restored = loaded && DocIndex.restore(indexTools, loaded, SOURCES);
      expect(restored?.search('secure context', 3).map((h) => [h.section.id, h.score])).toEqual(
        built.search('secure context', 3).map((h) => [h.section.id, h.score]),
      );
    });
  });
}
