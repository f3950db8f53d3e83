import type { IndexSnapshot } from '../../src/domain/index-snapshot.js';
import type { IndexStore } from '../../src/ports/index-store.js';

/**
 * Keeps snapshots in a Map, as structured clones (what crosses a real store is a copy, never the
 * live object). `failLoad` / `failSave` make it behave like a broken disk.
 */
export class InMemoryIndexStore implements IndexStore {
  readonly description = 'memory';
  readonly snapshots = new Map<string, IndexSnapshot>();
  failLoad: Error | undefined;
  failSave: Error | undefined;
  saves = 0;

  async load(source: string): Promise<IndexSnapshot | undefined> {
    if (this.failLoad) throw this.failLoad;
    const s = this.snapshots.get(source);
    return s && structuredClone(s);
  }

  async save(source: string, snapshot: IndexSnapshot): Promise<void> {
    if (this.failSave) throw this.failSave;
    this.snapshots.set(source, structuredClone(snapshot));
    this.saves++;
  }
}
