import { describe, expect, it } from 'vitest';
import { DocSourceError } from '../../src/domain/errors.js';
import type { DocSource } from '../../src/ports/doc-source.js';
import { freshEach } from './fresh-each.js';

export interface MadeSource {
  readonly source: DocSource;
  cleanup(): Promise<void>;
}

/** Markdown files keyed by relative path, e.g. `{ 'guide/intro.md': '# Intro\n…' }`. */
export type DocFiles = Record<string, string>;

const FILES: DocFiles = {
  'intro.md': '# Introduction\n\nWelcome to the docs.\n',
  'guide/install.md':
    '# Install\n\n## From npm\n\nRun `npm install`.\n\n```sh\n# a comment, not a heading\n```\n',
  'guide/usage.md': '# Usage\n\nCall `start()` and wait.\n',
  'reference/api.md': '# API\n\n## start(options)\n\nStarts the thing. Unicode: café, 東京.\n',
};

/**
 * What every DocSource promises, whatever stands behind it. Run against the in-memory fake and
 * each real adapter, so unit tests built on the fake stay honest.
 */
export function runDocSourceContract(
  name: string,
  makeSourceWithDocs: (files: DocFiles) => Promise<MadeSource>,
  makeBroken: () => Promise<MadeSource>,
): void {
  describe(`DocSource contract: ${name}`, () => {
    const make = freshEach<MadeSource>();
    const track = async (p: Promise<MadeSource>) => (await make(() => p)).source;

    it('describes where it loads from', async () => {
      const source = await track(makeSourceWithDocs(FILES));
      expect(source.description).toMatch(/\S/);
    });

    it('returns every document with its Markdown', async () => {
      const source = await track(makeSourceWithDocs(FILES));
      const docs = await source.load();
      expect(docs).toHaveLength(Object.keys(FILES).length);
      expect(docs.map((d) => d.markdown).sort()).toEqual(Object.values(FILES).sort());
      for (const d of docs) expect(d.path).toMatch(/\S/);
    });

    it('reports reading progress, if any, that ends at the number of documents', async () => {
      const source = await track(makeSourceWithDocs(FILES));
      const seen: [number, number][] = [];
      const docs = await source.load((done, total) => seen.push([done, total]));
      for (const [done, total] of seen) expect(done).toBeLessThanOrEqual(total);
      // A source of one file (a Hugo index) may report nothing; a folder reports every file.
      if (seen.length > 0) expect(seen.at(-1)).toEqual([docs.length, docs.length]);
    });

    it('gives every document a unique, non-empty id', async () => {
      const source = await track(makeSourceWithDocs(FILES));
      const ids = (await source.load()).map((d) => d.id);
      for (const id of ids) expect(id).toMatch(/\S/);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('keeps ids stable across loads', async () => {
      const source = await track(makeSourceWithDocs(FILES));
      const first = (await source.load()).map((d) => [d.id, d.markdown]);
      const second = (await source.load()).map((d) => [d.id, d.markdown]);
      expect(second).toEqual(first);
    });

    it('rejects with DocSourceError when the source is unusable', async () => {
      const source = await track(makeBroken());
      await expect(source.load()).rejects.toBeInstanceOf(DocSourceError);
    });
  });
}
