import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * For a contract suite: `fresh(make)` makes a new subject for the running test, and every subject
 * made is cleaned up after it (temporary directories, servers). Call inside a `describe`.
 */
export function freshEach<T extends { cleanup(): Promise<void> }>(): (make: () => Promise<T>) => Promise<T> {
  const made: T[] = [];
  afterEach(async () => {
    for (const m of made.splice(0)) await m.cleanup();
  });
  return async (make) => {
    const m = await make();
    made.push(m);
    return m;
  };
}

/** For a `describe`: `dir()` makes a temporary directory for the running test; all are removed after it. */
export function tempDirEach(prefix: string): () => Promise<string> {
  const make = freshEach<{ path: string; cleanup(): Promise<void> }>();
  return async () => {
    const made = await make(async () => {
      const path = await mkdtemp(join(tmpdir(), prefix));
      return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
    });
    return made.path;
  };
}
