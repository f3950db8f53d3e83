import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  tempFileWriter,
  tempPath,
  writeAtomic,
  writeAtomicWith,
} from '../../src/adapters/filesystem/atomic-write.js';
import { tempDirEach } from '../contract/fresh-each.js';

describe('atomic writes', () => {
  const dir = tempDirEach('certdocs-atomic-');

  it('replaces the file, with the mode asked for, and leaves nothing beside it', async () => {
    const d = await dir();
    const file = join(d, 'key.pem');
    await writeFile(file, 'old');
    await writeAtomic(file, 'new', 0o600);
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(d)).toEqual(['key.pem']);
  });

  it('removes the temporary file when the write fails, and keeps the old file', async () => {
    const d = await dir();
    const file = join(d, 'index.v8');
    await writeFile(file, 'old');
    const failure = new Error('disk full');
    await expect(
      writeAtomicWith(file, 0o600, async (handle) => {
        await handle.write('half of a private key');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readdir(d)).toEqual(['index.v8']);
    expect(await readFile(file, 'utf8')).toBe('old');
  });

  it('removes the temporary file when the rename fails', async () => {
    const d = await dir();
    // A non-empty directory where the file should go: the rename over it fails.
    const file = join(d, 'account.key.pem');
    await mkdir(file);
    await writeFile(join(file, 'inside'), '');
    await expect(writeAtomic(file, 'ACCOUNT KEY', 0o600)).rejects.toThrow();
    expect(await readdir(d)).toEqual(['account.key.pem']);
  });

  it('names temporary files so that their writer can be told', () => {
    const file = join('/some/dir', 'index-1.v8');
    const tmp = tempPath(file);
    expect(tmp.startsWith(`${file}.`)).toBe(true);
    expect(tempFileWriter(file, tmp.slice('/some/dir/'.length))).toBe(process.pid);
    expect(tempFileWriter(file, 'index-1.v8.tmp-garbage')).toBeNaN();
    expect(tempFileWriter(file, 'index-1.v8')).toBeUndefined();
    expect(tempFileWriter(file, 'index-2.v8.tmp-1-1')).toBeUndefined();
  });
});
