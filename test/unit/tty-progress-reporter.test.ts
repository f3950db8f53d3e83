import { describe, expect, it } from 'vitest';
import { TtyProgressReporter } from '../../src/adapters/terminal/tty-progress-reporter.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import type { ProgressReporter } from '../../src/ports/progress-reporter.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
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
  it('reports each phase and finishes it', async () => {
    const calls: string[] = [];
    const spy: ProgressReporter = {
      update: (task, done, total) => calls.push(`update ${task} ${done}/${total}`),
      finish: (task) => calls.push(`finish ${task}`),
    };
    const docs = new ServeDocs(
      InMemoryDocSource.of({ 'a.md': '# A\n\ntext' }),
      new FakeClock(),
      new MemoryLogger(),
      spy,
    );
    await docs.load();
    expect(calls).toContain('finish indexing: reading documents');
    expect(calls).toContain('finish indexing: building the index');
  });
});
