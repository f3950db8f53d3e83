import { describe, expect, it } from 'vitest';
import type { ProgressReporter } from '../../src/ports/progress-reporter.js';
import { freshEach } from './fresh-each.js';

export interface MadeReporter {
  readonly reporter: ProgressReporter;
  /** Lets time pass for the reporter (a real one waits a little before showing anything). */
  advance(ms: number): void;
  /** Everything reported so far, as text (drawn bars, log lines, recorded updates). */
  reported(): string;
  /** What is still on show: a bar left on the terminal line, an unfinished task; '' when nothing. */
  leftShown(): string;
  cleanup(): Promise<void>;
}

/** Updates of a job long enough for any reporter to show it. */
function longJob(m: MadeReporter, task: string, total: number, stage?: string): void {
  for (let done = 0; done <= total; done += total / 4) {
    m.reporter.update(task, done, total, stage);
    m.advance(3000);
  }
}

/**
 * What every ProgressReporter promises: a long job is shown with its task and how far it got,
 * finish leaves nothing on show, and no order of calls (finish first, twice, for a task never
 * started, updates after finish, odd numbers) throws or breaks later reporting.
 * Run against the recording fake and TtyProgressReporter on a terminal and off one.
 */
export function runProgressReporterContract(name: string, makeReporter: () => Promise<MadeReporter>): void {
  describe(`ProgressReporter contract: ${name}`, () => {
    const make = freshEach<MadeReporter>();
    const fresh = () => make(makeReporter);

    it('shows a long job with its task, stage and progress', async () => {
      const m = await fresh();
      longJob(m, 'indexing', 200, 'reading files');
      expect(m.reported()).toContain('indexing');
      expect(m.reported()).toContain('reading files');
      expect(m.reported()).toMatch(/\b(100|150|200)\/200\b/);
    });

    it('leaves nothing shown once the job finishes', async () => {
      const m = await fresh();
      longJob(m, 'indexing', 100);
      m.reporter.finish('indexing');
      expect(m.leftShown()).toBe('');
    });

    it('leaves nothing shown after two interleaved tasks finish', async () => {
      const m = await fresh();
      m.reporter.update('indexing', 0, 10);
      m.reporter.update('saving', 0, 5);
      m.advance(3000);
      m.reporter.update('indexing', 5, 10);
      m.reporter.update('saving', 2, 5);
      m.reporter.finish('saving');
      m.advance(3000);
      m.reporter.update('indexing', 10, 10);
      m.reporter.finish('indexing');
      expect(m.reported()).toContain('indexing');
      expect(m.leftShown()).toBe('');
    });

    it('takes finish for a task never started, and finish twice, in its stride', async () => {
      const m = await fresh();
      expect(() => m.reporter.finish('never-started')).not.toThrow();
      longJob(m, 'indexing', 8);
      expect(() => {
        m.reporter.finish('indexing');
        m.reporter.finish('indexing');
        m.reporter.finish('something else');
      }).not.toThrow();
      expect(m.leftShown()).toBe('');
    });

    it('still reports a task after an unrelated task finishes', async () => {
      const m = await fresh();
      m.reporter.update('indexing', 0, 40);
      m.reporter.finish('unknown');
      m.advance(3000);
      m.reporter.update('indexing', 20, 40);
      m.advance(3000);
      m.reporter.update('indexing', 30, 40);
      expect(m.reported()).toMatch(/30\/40/);
      m.reporter.finish('indexing');
      expect(m.leftShown()).toBe('');
    });

    it('shows a task started again after it finished, and clears it again', async () => {
      const m = await fresh();
      longJob(m, 'indexing', 4);
      m.reporter.finish('indexing');
      longJob(m, 'indexing', 12, 'second run');
      expect(m.reported()).toContain('second run');
      m.reporter.finish('indexing');
      expect(m.leftShown()).toBe('');
    });

    it('does not throw on odd numbers: no total, more done than total, negatives', async () => {
      const m = await fresh();
      expect(() => {
        for (const [done, total] of [
          [0, 0],
          [5, 0],
          [15, 10],
          [-1, 10],
          [3, -2],
        ] as const) {
          m.reporter.update('odd', done, total);
          m.advance(3000);
        }
        m.reporter.finish('odd');
      }).not.toThrow();
      expect(m.leftShown()).toBe('');
    });
  });
}
