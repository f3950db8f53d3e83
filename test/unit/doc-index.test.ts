import { describe, expect, it } from 'vitest';
import { DocIndex } from '../../src/domain/doc-index.js';
import { indexTools } from '../fakes/index-tools.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const index = await DocIndex.buildAsync(
  indexTools,
  Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({ id: path.replace(/\.md$/, ''), path, markdown })),
  new Date('2026-01-01T00:00:00Z'),
);

describe('DocIndex ranking', () => {
  it('ranks the section whose heading names the query first', () => {
    expect(index.search('tls.createSecureContext', 3)[0]?.section.id).toBe(
      'tls#tlscreatesecurecontextoptions',
    );
  });

  it('finds an identifier from plain words', () => {
    expect(index.search('create secure context', 3)[0]?.section.id).toBe('tls#tlscreatesecurecontextoptions');
  });

  it('finds a section by words from its body, not only its heading', () => {
    const ids = index
      .search('keep the process from exiting because of the event loop', 3)
      .map((h) => h.section.id);
    expect(ids).toContain('timers#timeoutunref');
  });

  it('uses stemming: "reading files" finds "Reading a file"', () => {
    expect(index.search('reading files line', 1)[0]?.section.id).toBe(
      'guide/files#reading-a-file-line-by-line',
    );
  });

  it('returns a snippet that contains a matched word', () => {
    const hit = index.search('readline stream', 1)[0];
    expect(hit?.snippet.toLowerCase()).toContain('readline');
  });

  it('returns nothing for a query of stop words only', () => {
    expect(index.search('the of and', 5)).toEqual([]);
  });

  it('suggests ids close to an unknown one', () => {
    expect(index.suggest('tls#createsecurecontext')).toContain('tls');
    expect(index.suggest('timers#timeout-unref')).toContain('timers');
  });
});

describe('DocIndex rebuilds', () => {
  const sources = Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({
    id: path.replace(/\.md$/, ''),
    path,
    markdown,
  }));

  it('reuse the sections of unchanged documents and split changed ones again', async () => {
    const first = await DocIndex.buildAsync(indexTools, sources, new Date(0));
    const [changed, ...same] = sources;
    if (!changed) throw new Error('no sample docs');
    const edited = { ...changed, markdown: `${changed.markdown}\n\n## Zeppelin appendix\n\nAirships.\n` };
    const second = await DocIndex.buildAsync(indexTools, [edited, ...same], new Date(1), undefined, {
      previous: first,
    });
    for (const s of same) expect(second.document(s.id)).toBe(first.document(s.id));
    expect(second.document(changed.id)).not.toBe(first.document(changed.id));
    expect(second.search('zeppelin airships', 1)[0]?.section.heading).toBe('Zeppelin appendix');
    expect(first.search('zeppelin airships', 1)).toEqual([]);
  });

  it('ranks exactly as a fresh build does', async () => {
    const first = await DocIndex.buildAsync(indexTools, sources, new Date(0));
    const reused = await DocIndex.buildAsync(indexTools, sources, new Date(1), undefined, {
      previous: first,
    });
    const fresh = await DocIndex.buildAsync(indexTools, sources, new Date(1));
    for (const q of ['secure context', 'read file', 'timeout event loop']) {
      const a = reused.search(q, 5).map((h) => [h.section.id, h.score]);
      expect(a).toEqual(fresh.search(q, 5).map((h) => [h.section.id, h.score]));
    }
  });

  it('does not reuse a document whose title, path or url changed', async () => {
    const first = await DocIndex.buildAsync(indexTools, sources, new Date(0));
    const [doc] = sources;
    if (!doc) throw new Error('no sample docs');
    for (const change of [{ title: 'Renamed' }, { path: 'moved.md' }, { url: 'https://example.org/x' }]) {
      const second = await DocIndex.buildAsync(indexTools, [{ ...doc, ...change }], new Date(1), undefined, {
        previous: first,
      });
      expect(second.document(doc.id)).not.toBe(first.document(doc.id));
    }
  });
});
