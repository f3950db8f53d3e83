/** Shows how far a long job (indexing a large corpus) has got: a bar on a terminal, log lines elsewhere. */
export interface ProgressReporter {
  /**
   * Called often; implementations decide how often to show something. `stage` names the current
   * step of a task with several ("reading files"): the task's clock runs across its stages.
   */
  update(task: string, done: number, total: number, stage?: string): void;
  /** The job ended (successfully or not): clear or close what was shown. */
  finish(task: string): void;
}

export const PROGRESS_REPORTER = Symbol.for('certdocs.ProgressReporter');
