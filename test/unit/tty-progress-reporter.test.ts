import { describe, expect, it, vi } from 'vitest';
import { TtyProgressReporter } from '../../src/adapters/terminal/tty-progress-reporter.js';
import { DocIndex } from '../../src/domain/doc-index.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import type { ProgressReporter } from '../../src/ports/progress-reporter.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';

function reporter(tty: boolean) {
  let now = 0;
  const written: string[] = [];
  const logger = new MemoryLogger();
  const r = new TtyProgressReporter(
    logger,
    tty ? { write: (s: string) => written.push(s) > 0 } : undefined,
    () => now,
  );
  return { r, logger, written, at: (ms: number) => (now = ms) };
}

describe('TtyProgressReporter', () => {
  it('stays quiet for short jobs', () => {
    const { r, logger, written, at } = reporter(true);
    r.update('indexing', 1, 10);
    at(1500);
    r.update('indexing', 9, 10);
    r.finish('indexing');
    expect(written).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it('draws a bar on a terminal after 2 s and clears it at the end', () => {
    const { r, written, at } = reporter(true);
    r.update('indexing', 0, 200);
    at(2500);
    r.update('indexing', 100, 200);
    expect(written.at(-1)).toBe(`\rindexing [${'#'.repeat(15)}${' '.repeat(15)}] 50% 100/200`);
    r.finish('indexing');
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('logs a line every 2 s when stderr is not a terminal', () => {
    const { r, logger, at } = reporter(false);
    r.update('indexing', 0, 100);
    for (let t = 2000; t <= 7000; t += 500) {
      at(t);
      r.update('indexing', t / 100, 100);
    }
    expect(logger.lines.map((l) => l.msg)).toEqual([
      'indexing: 20/100',
      'indexing: 40/100',
      'indexing: 60/100',
    ]);
  });
});

describe('ServeDocs progress', () => {
  it('reports reading, splitting and indexing as stages of one task, and finishes it once', async () => {
    const calls: string[] = [];
    const spy: ProgressReporter = {
      update: (task, done, total, stage) => calls.push(`update ${task} (${stage}) ${done}/${total}`),
      finish: (task) => calls.push(`finish ${task}`),
    };
    const docs = new ServeDocs(
      InMemoryDocSource.of({ 'a.md': '# A\n\ntext', 'b.md': '# B\n\nmore text' }),
      new FakeClock(),
      new MemoryLogger(),
      indexTools,
      spy,
    );
    await docs.load();
    const stage = (name: string) => calls.findIndex((c) => c.startsWith(`update indexing (${name})`));
    expect(stage('reading files')).toBeGreaterThanOrEqual(0);
    expect(stage('splitting into sections')).toBeGreaterThan(stage('reading files'));
    expect(stage('building the index')).toBeGreaterThan(stage('splitting into sections'));
    expect(calls).toContain('update indexing (reading files) 2/2');
    expect(calls.filter((c) => c.startsWith('finish'))).toEqual(['finish indexing']);
    expect(calls.at(-1)).toBe('finish indexing');
  });

  it('finishes the task when the build fails, so no bar is left drawn', async () => {
    const calls: string[] = [];
    const spy: ProgressReporter = { update: () => undefined, finish: (task) => calls.push(task) };
    const docs = new ServeDocs(
      InMemoryDocSource.of({ 'a.md': '# A' }),
      new FakeClock(),
      new MemoryLogger(),
      indexTools,
      spy,
    );
    const build = vi.spyOn(DocIndex, 'buildAsync').mockRejectedValueOnce(new Error('out of memory'));
    try {
      await expect(docs.load()).rejects.toThrow('out of memory');
    } finally {
      build.mockRestore();
    }
    expect(calls).toEqual(['indexing']);
  });
});

describe('TtyProgressReporter stages', () => {
  it('names the stage and keeps one clock across stages', () => {
    const { r, logger, at } = reporter(false);
    r.update('indexing', 0, 10, 'reading files');
    at(1500);
    r.update('indexing', 10, 10, 'reading files');
    at(2100);
    r.update('indexing', 5, 100, 'building the index');
    expect(logger.lines.map((l) => l.msg)).toEqual(['indexing (building the index): 5/100']);
  });
});
