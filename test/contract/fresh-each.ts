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
