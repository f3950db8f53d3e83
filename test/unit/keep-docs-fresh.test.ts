import { describe, expect, it, vi } from 'vitest';
import { DocIndex } from '../../src/domain/doc-index.js';
import { KeepDocsFresh } from '../../src/domain/keep-docs-fresh.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import type { DocSource } from '../../src/ports/doc-source.js';
import { FakeClock, minutes } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';

const v1 = { 'a.md': '# Alpha\n\nThe first version mentions zebras.' };
const v2 = { 'a.md': '# Alpha\n\nThe second version mentions giraffes.' };

function docsOf(files: Record<string, string>) {
  return Object.entries(files).map(([path, markdown]) => ({ id: path.replace(/\.md$/, ''), path, markdown }));
}

async function makeSut(source: DocSource & { remote: boolean }, refreshIntervalMs = 0) {
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const docs = new ServeDocs(source, clock, logger, indexTools);
  await docs.load();
  const fresh = new KeepDocsFresh(docs, source, clock, logger, { refreshIntervalMs });
  let notified = 0;
  fresh.start(() => notified++);
  return { docs, fresh, clock, logger, notified: () => notified };
}

describe('ServeDocs.refresh', () => {
  it('swaps in a new index when the source changed, and reports no change otherwise', async () => {
    const source = InMemoryDocSource.of(v1);
    const { docs } = await makeSut(source);
    expect(await docs.refresh()).toEqual({ changed: false });
    source.replaceWith(docsOf(v2));
    expect(await docs.refresh()).toEqual({ changed: true });
    expect(docs.search({ query: 'giraffes' }).results).toHaveLength(1);
    expect(docs.search({ query: 'zebras' }).results).toHaveLength(0);
  });

  it('keeps serving the old index when a refresh fails, and logs it', async () => {
    const source = InMemoryDocSource.of(v1);
    const { docs, logger } = await makeSut(source);
    const before = docs.status().indexBuiltAt;
    source.failNextLoad('malformed JSON at entry 3');
    const result = await docs.refresh();
    expect(result.changed).toBe(false);
    expect(result.error).toContain('malformed JSON at entry 3');
    expect(docs.search({ query: 'zebras' }).results).toHaveLength(1);
    expect(docs.status().indexBuiltAt).toBe(before);
    expect(logger.has('warn', 'still serving the previous index')).toBe(true);
  });
});

describe('KeepDocsFresh', () => {
  it('survives a refresh whose build throws: logs it, keeps the old index, refreshes again later', async () => {
    const source = InMemoryDocSource.of(v1);
    const { docs, fresh, logger, notified } = await makeSut(source);
    source.replaceWith(docsOf(v2));
    const build = vi.spyOn(DocIndex, 'buildAsync').mockRejectedValueOnce(new Error('heap out of memory'));
    try {
      await expect(fresh.refreshNow()).resolves.toBeUndefined();
    } finally {
      build.mockRestore();
    }
    expect(logger.has('error', 'docs refresh failed')).toBe(true);
    expect(docs.search({ query: 'zebras' }).results).toHaveLength(1);
    await fresh.refreshNow();
    expect(docs.search({ query: 'giraffes' }).results).toHaveLength(1);
    expect(notified()).toBe(1);
  });

  it('re-indexes a watched source when it changes mid-run and tells clients once', async () => {
    const source = InMemoryDocSource.of(v1);
    const { docs, fresh, notified } = await makeSut(source);
    expect(source.watchers).toBe(1);
    source.replaceWith(docsOf(v2));
    source.notifyChanged();
    await fresh.refreshNow(); // joins the refresh the watcher started
    expect(docs.search({ query: 'giraffes' }).results).toHaveLength(1);
    expect(notified()).toBe(1);
    source.notifyChanged(); // an event without a content change
    await fresh.refreshNow();
    expect(notified()).toBe(1);
    fresh.stop();
    expect(source.watchers).toBe(0);
  });

  it('polls a remote source on the interval, survives a failure mid-run, and stops', async () => {
    const source = Object.assign(InMemoryDocSource.of(v1), { remote: true });
    const { docs, clock, notified, fresh } = await makeSut(source, minutes(5));
    source.failNextLoad('HTTP 503');
    await clock.advance(minutes(5));
    expect(docs.search({ query: 'zebras' }).results).toHaveLength(1);
    source.replaceWith(docsOf(v2));
    await clock.advance(minutes(5));
    expect(docs.search({ query: 'giraffes' }).results).toHaveLength(1);
    expect(notified()).toBe(1);
    const loads = source.loads;
    fresh.stop();
    await clock.advance(minutes(30));
    expect(source.loads).toBe(loads);
  });

  it('runs one more refresh, not many, when changes arrive during a refresh', async () => {
    const source = InMemoryDocSource.of(v1);
    const { fresh } = await makeSut(source);
    const loadsBefore = source.loads;
    const first = fresh.refreshNow();
    void fresh.refreshNow();
    void fresh.refreshNow();
    await first;
    expect(source.loads - loadsBefore).toBe(2);
    fresh.stop();
  });
});
