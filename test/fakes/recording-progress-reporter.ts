import type { ProgressReporter } from '../../src/ports/progress-reporter.js';

interface Shown {
  done: number;
  total: number;
  stage?: string;
}

/** Remembers every update and shows each unfinished task's latest one at once, with no delay. */
export class RecordingProgressReporter implements ProgressReporter {
  readonly updates: (Shown & { task: string })[] = [];
  readonly finished: string[] = [];
  private readonly open = new Map<string, Shown>();

  update(task: string, done: number, total: number, stage?: string): void {
    this.updates.push({ task, done, total, stage });
    this.open.set(task, { done, total, stage });
  }

  finish(task: string): void {
    this.finished.push(task);
    this.open.delete(task);
  }

  /** Every update as a line, in order. */
  get reportedLines(): string[] {
    return this.updates.map((u) => line(u.task, u));
  }

  /** The latest progress of a task still running, as a line; undefined once finished. */
  showing(task: string): string | undefined {
    const s = this.open.get(task);
    if (!s) return undefined;
    return line(task, s);
  }

  /** What is left shown for every task not yet finished. */
  get stillShown(): string[] {
    return [...this.open.keys()].map((t) => this.showing(t) as string);
  }
}

const line = (task: string, s: Shown) => `${s.stage ? `${task} (${s.stage})` : task}: ${s.done}/${s.total}`;
