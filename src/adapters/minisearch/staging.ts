import { releaseBuffer } from './release-buffer.js';

/** Bytes per chunk of records. */
const CHUNK_BYTES = 1 << 20;
/** The most one record takes: a 5-byte term number, a field mask, one byte per field. */
const maxRecordBytes = (fields: number) => 6 + fields;
/** A frequency this large or larger is kept aside (in 8 bits: rare, nearly all are small). */
const BIG = 0xff;

/**
 * While an index is built: one record per (document, term), in the order added: the term and its
 * frequency in each field. Records are read back once, in order (by seal), so they are kept as a
 * byte stream: the term number in 7-bit groups, a mask of the fields the term is in, and one byte
 * per such field (a frequency of 255 or more is kept aside) — about 4 bytes a record instead of
 * 4 + one per field: the staging area is the largest thing a build holds besides the finished
 * postings, and both exist while sealing. In fixed-size chunks (no doubling, no copy of what is
 * there), each let go once read.
 *
 * Records are written into one ordinary chunk; a full one is copied into a chunk of its own
 * outside malloc's heap (see keptChunk) and the ordinary one written again. Read back, each kept
 * chunk is copied into one ordinary chunk and let go. (Kept chunks freed by malloc did not go
 * back to the system as seal read them: glibc raises the size it maps on its own after the build's
 * large frees, so 1 MB chunks came from its heap, whose freed middle stays in RSS until the top
 * is free: at 50k documents ~80 MB more at the peak. Reading and writing ordinary chunks keeps
 * the byte loops on the quickest typed arrays.)
 */
export class Staging {
  length = 0;
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Where the next record goes in the last chunk. */
  private at = CHUNK_BYTES;
  private chunk: Uint8Array = new Uint8Array(0);
  /** record × fields + field → a frequency ≥ BIG. */
  private readonly big = new Map<number, number>();
  private readonly recordBytes: number;

  constructor(
    private readonly fields: number,
    /** Larger frequencies are stored as this. */
    private readonly maxTf: number,
  ) {
    if (fields > 8) throw new Error('Staging: at most 8 fields');
    this.recordBytes = maxRecordBytes(fields);
  }

  /**
   * Adds a record: `term`, with its frequency in field g at counts[from + g]; sets those counts
   * back to 0 and adds 1 to df[dfFrom + g] for each field the term is in (what the caller would
   * otherwise do in a loop of its own over the same counts).
   */
  push(term: number, counts: Int32Array, from: number, df: Int32Array, dfFrom: number): void {
    if (this.at + this.recordBytes > CHUNK_BYTES) {
      // A record never straddles two chunks: the rest of this one is left unused (StagingReader
      // makes the same test). The full chunk is kept as a copy; this one is written again.
      const last = this.chunks.length - 1;
      if (last >= 0) this.chunks[last] = keptChunk(this.chunk);
      if (this.chunk.length === 0) this.chunk = new Uint8Array(CHUNK_BYTES);
      this.chunks.push(this.chunk);
      this.at = 0;
    }
    const bytes = this.chunk;
    let at = this.at;
    let t = term;
    while (t >= 0x80) {
      bytes[at++] = (t & 0x7f) | 0x80;
      t >>>= 7;
    }
    bytes[at++] = t;
    const maskAt = at++;
    let mask = 0;
    const i = this.length++;
    for (let g = 0; g < this.fields; g++) {
      const tf = counts[from + g] as number;
      if (tf === 0) continue;
      counts[from + g] = 0;
      df[dfFrom + g] = (df[dfFrom + g] as number) + 1;
      mask |= 1 << g;
      if (tf >= BIG) {
        bytes[at++] = BIG;
        this.big.set(i * this.fields + g, Math.min(tf, this.maxTf));
      } else bytes[at++] = tf;
    }
    bytes[maskAt] = mask;
    this.at = at;
  }

  /**
   * Reads the records back in order, letting go of each chunk once read. Each read() fills
   * `term` and `tfs` (one per field) with the next record.
   */
  reader(): StagingReader {
    return new StagingReader(this.chunks, this.fields, this.big, this.recordBytes);
  }
}

export class StagingReader {
  term = 0;
  /** Bit g set when the record's term is in field g (its tfs[g] is not 0). */
  mask = 0;
  readonly tfs: Int32Array;
  private index = -1;
  private chunk = -1;
  /** The chunk being read, copied out of its kept chunk (which is let go at once). */
  private bytes: Uint8Array = new Uint8Array(CHUNK_BYTES);
  private at = CHUNK_BYTES;

  constructor(
    private readonly chunks: (Uint8Array | undefined)[],
    private readonly fields: number,
    private readonly big: ReadonlyMap<number, number>,
    private readonly recordBytes: number,
  ) {
    this.tfs = new Int32Array(fields);
  }

  /** The next record into `term` and `tfs`. */
  read(): void {
    const i = ++this.index;
    const bytes = this.bytes;
    let at = this.at;
    // Where push() started a new chunk (the same test on the same offsets).
    if (at + this.recordBytes > CHUNK_BYTES) {
      this.chunk++;
      bytes.set(this.chunks[this.chunk] as Uint8Array);
      this.letGo();
      at = 0;
    }
    let b = bytes[at++] as number;
    let term = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      b = bytes[at++] as number;
      term |= (b & 0x7f) << shift;
    }
    this.term = term;
    const mask = bytes[at++] as number;
    this.mask = mask;
    const tfs = this.tfs;
    for (let g = 0; g < this.fields; g++) {
      if ((mask & (1 << g)) === 0) {
        tfs[g] = 0;
        continue;
      }
      const tf = bytes[at++] as number;
      tfs[g] = tf === BIG ? (this.big.get(i * this.fields + g) as number) : tf;
    }
    this.at = at;
  }

  /** Lets go of the chunk copy (after the last read). */
  done(): void {
    releaseBuffer(this.bytes);
  }

  /** The chunk now being read, its memory given back now (see releaseBuffer), not at a full GC. */
  private letGo(): void {
    if (this.chunk < 0) return;
    releaseBuffer(this.chunks[this.chunk]);
    this.chunks[this.chunk] = undefined;
  }
}

/** ArrayBuffer's constructor with ES2024's options (not in this project's ES2023 lib). */
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ArrayBuffer;

/**
 * A copy of a full chunk in memory of its own: V8 maps a resizable ArrayBuffer's pages itself
 * instead of asking malloc, so letting go of it (releaseBuffer) unmaps them at once.
 */
function keptChunk(chunk: Uint8Array): Uint8Array {
  const kept = new Uint8Array(new ResizableArrayBuffer(CHUNK_BYTES, { maxByteLength: CHUNK_BYTES }));
  kept.set(chunk);
  return kept;
}
