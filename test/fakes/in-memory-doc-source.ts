import type { SourceDocument } from '../../src/domain/document.js';
import { DocSourceError } from '../../src/domain/errors.js';
import type { DocSource } from '../../src/ports/doc-source.js';

export class InMemoryDocSource implements DocSource {
  readonly description = 'memory:test';
  readonly remote = false;
  loads = 0;
  private listeners = new Set<() => void>();
  private failure: string | undefined;

  constructor(private docs: SourceDocument[] = []) {}

  static of(files: Record<string, string>): InMemoryDocSource {
    return new InMemoryDocSource(
      Object.entries(files).map(([path, markdown]) => ({ id: path.replace(/\.mdx?$/, ''), path, markdown })),
    );
  }

  replaceWith(docs: SourceDocument[]): void {
    this.docs = docs;
  }

  watch(onChange: () => void): () => void {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }

  /** What a file watcher would do after an edit. */
  notifyChanged(): void {
    for (const l of this.listeners) l();
  }

  get watchers(): number {
    return this.listeners.size;
  }

  failNextLoad(reason: string): void {
    this.failure = reason;
  }

  async load(onProgress?: (done: number, total: number) => void): Promise<SourceDocument[]> {
    this.loads++;
    if (this.failure) {
      const reason = this.failure;
      this.failure = undefined;
      throw new DocSourceError(this.description, reason);
    }
    if (this.docs.length === 0) throw new DocSourceError(this.description, 'no documents');
    for (let i = 1; i <= this.docs.length; i++) onProgress?.(i, this.docs.length);
    return [...this.docs];
  }
}
