import { type FSWatcher, watch } from 'node:fs';

/**
 * fs.watch fires several events per save (and per file of a `git pull`); one debounced call
 * covers them. Returns a stopper. Errors (e.g. the folder removed) are reported once, not thrown.
 */
export function debouncedWatch(
  path: string,
  recursive: boolean,
  onChange: () => void,
  onError: (e: Error) => void,
  delayMs = 300,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, { recursive, persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, delayMs);
    });
    watcher.on('error', onError);
  } catch (e) {
    onError(e as Error);
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
