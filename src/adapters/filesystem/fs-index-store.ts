import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import v8 from 'node:v8';
import type { IndexSnapshot, SnapshotDocument } from '../../domain/index-snapshot.js';
import type { IndexStore } from '../../ports/index-store.js';
import type { Logger } from '../../ports/logger.js';
import { tempFileWriter, writeAtomicWith } from './atomic-write.js';

/** The file's first bytes: what it is and the version of this container format. */
const MAGIC = Buffer.from('CERTDOCS-INDEX-1\n');
/** Documents per record: each record is serialized on its own, with I/O between records. */
const DOCUMENTS_PER_RECORD = 500;

interface Header {
  readonly app: string;
  readonly source: string;
  readonly records: number;
  readonly meta: Omit<IndexSnapshot, 'documents' | 'engine'>;
}

/**
 * Keeps one index snapshot per doc source in a directory, as a sequence of length-prefixed V8
 * records (a header, the engine's typed arrays, then the documents in slices), so neither writing
 * nor reading serializes a whole large corpus in one blocking call. Written to a temporary file
 * and renamed: a crash leaves the old snapshot or the new one. Anything unreadable, from another
 * certdocs version or for another source, is reported and treated as missing.
 */
export class FsIndexStore implements IndexStore {
  constructor(
    private readonly dir: string,
    private readonly app: string,
    private readonly logger: Logger,
  ) {}

  get description(): string {
    return this.dir;
  }

  /**
   * Temporary files of saves that never finished (the process died: a crash, an OOM kill) can be
   * as large as the index: remove those of this source whose writer no longer runs. A save in
   * progress in another live process on this machine is left alone.
   */
  private async removeAbandoned(file: string): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const pid = tempFileWriter(file, name);
      if (pid === undefined) continue;
      // Our own pid: left by an earlier process that had it (containers often run as pid 1), since
      // this process saves one snapshot of a source at a time (ServeDocs chains its saves).
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) continue;
      await rm(join(this.dir, name), { force: true });
      this.logger.info('removed the temporary file of an unfinished index save', { file: name });
    }
  }

  private file(source: string): string {
    const id = createHash('sha256').update(source).digest('hex').slice(0, 16);
    return join(this.dir, `index-${id}.v8`);
  }

  async load(source: string): Promise<IndexSnapshot | undefined> {
    const file = this.file(source);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        this.logger.warn('index cache unreadable; building the index', { file, error: String(e) });
      return undefined;
    }
    try {
      // Record by record: no buffer of the whole file (which could pass 2 GiB, and would sit in
      // memory beside the index being restored).
      const records = new RecordReader(handle, (await handle.stat()).size);
      await records.magic();
      const header = (await records.next()) as Header | undefined;
      if (!header || typeof header !== 'object') throw new Error('no header');
      if (header.app !== this.app || header.source !== source) {
        this.logger.info('index cache is from another version or source; building the index', {
          file,
          cachedVersion: header.app,
        });
        return undefined;
      }
      const engine = await records.next();
      if (!engine || typeof engine !== 'object') throw new Error('the engine record is not an object');
      const documents: SnapshotDocument[] = [];
      for (let r = 2; r < header.records; r++) {
        const chunk = await records.next();
        if (!Array.isArray(chunk)) throw new Error(`record ${r} is not a list of documents`);
        for (const d of chunk as SnapshotDocument[]) documents.push(d);
      }
      return { ...header.meta, documents, engine: engine as IndexSnapshot['engine'] };
    } catch (e) {
      this.logger.warn('index cache is damaged; building the index', { file, error: (e as Error).message });
      return undefined;
    } finally {
      await handle.close();
    }
  }

  async save(source: string, snapshot: IndexSnapshot): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(source);
    await this.removeAbandoned(file);
    const { documents, engine, ...meta } = snapshot;
    const chunks = Math.ceil(documents.length / DOCUMENTS_PER_RECORD);
    const header: Header = { app: this.app, source, records: 2 + chunks, meta };
    await writeAtomicWith(file, 0o600, async (handle) => {
      await handle.write(MAGIC);
      await writeRecord(handle, v8.serialize(header));
      await writeRecord(handle, v8.serialize(engine));
      for (let c = 0; c < chunks; c++) {
        const slice = documents.slice(c * DOCUMENTS_PER_RECORD, (c + 1) * DOCUMENTS_PER_RECORD);
        await writeRecord(handle, v8.serialize(slice));
      }
    });
  }
}

/** Whether a process with this id runs on this machine (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeRecord(handle: FileHandle, body: Buffer): Promise<void> {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  await handle.write(length);
  await handle.write(body);
}

/** Reads the file's length-prefixed V8 records in order, one buffer per record. */
class RecordReader {
  private at = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  async magic(): Promise<void> {
    if (this.size < MAGIC.length || !(await this.bytes(MAGIC.length)).equals(MAGIC))
      throw new Error('not a certdocs index file');
  }

  async next(): Promise<unknown> {
    const length = (await this.bytes(4)).readUInt32BE(0);
    return v8.deserialize(await this.bytes(length));
  }

  private async bytes(n: number): Promise<Buffer> {
    if (this.at + n > this.size) throw new Error('truncated record');
    const buf = Buffer.allocUnsafe(n);
    for (let got = 0; got < n; ) {
      const { bytesRead } = await this.handle.read(buf, got, n - got, this.at + got);
      if (bytesRead === 0) throw new Error('truncated record');
      got += bytesRead;
    }
    this.at += n;
    return buf;
  }
}
