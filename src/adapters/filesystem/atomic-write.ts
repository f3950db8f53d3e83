import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Writes `data` to `path` (created or truncated), flushed to disk, with `mode`. */
export async function writeDurable(path: string, data: string, mode: number): Promise<void> {
  await writeDurableWith(path, mode, (handle) => handle.writeFile(data));
}

/** Replaces `path` atomically: a reader sees the old file or the new one, never half of either. */
export async function writeAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  await writeAtomicWith(path, mode, (handle) => handle.writeFile(data));
}

/**
 * Replaces `path` atomically with what `write` writes to the handle: into a temporary file beside
 * it (see tempPath), flushed, then renamed over `path`. When anything fails the temporary file is
 * removed: it may be a copy of a private key, or as large as an index.
 */
export async function writeAtomicWith(
  path: string,
  mode: number,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeDurableWith(tmp, mode, write);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(path));
}

/**
 * The temporary file a write of `path` goes through: `<path>.tmp-<pid>-<ms>`. The pid lets a later
 * process tell a dead writer's leftover from a save in progress (see tempFileWriter).
 */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}`;
}

/**
 * Whether the directory entry `name` is a temporary file of writes to `path` (beside it): the
 * writer's pid (NaN when the name has none), or undefined when `name` is not one.
 */
export function tempFileWriter(path: string, name: string): number | undefined {
  const prefix = `${basename(path)}.tmp-`;
  return name.startsWith(prefix) ? Number.parseInt(name.slice(prefix.length), 10) : undefined;
}

export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

async function writeDurableWith(
  path: string,
  mode: number,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const handle = await open(path, 'w', mode);
  try {
    await write(handle);
    await handle.chmod(mode); // the umask may have narrowed or widened it on creation
    await handle.sync();
  } finally {
    await handle.close();
  }
}
