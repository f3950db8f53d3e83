import { releaseBuffer } from './release-buffer.js';

/**
 * The distinct tokens a build has met, each with its term numbers: an open-addressing hash table
 * over a token's characters, so that a token met before (most are: a corpus has a vocabulary) is
 * found from its place in the text without being cut out as a string. Each entry also keeps a
 * stamp (FieldedBm25 counts distinct tokens per field with it).
 *
 * Laid out for a build that looks up every word of a corpus, where the time goes to memory reads
 * more than to instructions: a slot holds where its token's characters are, its hash, stamp and
 * term (most tokens have one term, or none) side by side in one Int32Array, and the characters of
 * every token are in one Uint16Array (length first), so a word met before costs one read of the
 * table and one of its stored characters (not of an array of strings, then of a string somewhere
 * in the heap).
 */
export class TokenTable {
  /**
   * Slot s at 4s: where its token is in `chars` + 1 (0: empty), hash, stamp, terms: a term number (≥ 0), or -(k + 1)
   * where ids[k] is how many term numbers follow it in ids. Replaced when it grows: read it
   * after entry().
   */
  slots: Int32Array = new Int32Array(SLOT * (1 << 12));
  /** Each token: its length in two units (low, high 16 bits), then its characters. */
  private chars: Uint16Array = new Uint16Array(1 << 14);
  private charCount = 0;
  private count = 0;
  /** Runs of term numbers of tokens that do not have exactly one (see slots). */
  ids: Int32Array = new Int32Array(1 << 10);
  private idCount = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Where in `slots` the entry of text[start, end) is (whose characters hash to `hash`, see
   * hashOf), made with `terms` the first time it is met.
   */
  entry(
    text: string,
    start: number,
    end: number,
    hash: number,
    terms: (token: string) => readonly number[],
    /** When given, text's characters as bytes (ascii[i] === text.charCodeAt(i)): read quicker. */
    ascii?: Uint8Array,
  ): number {
    const slots = this.slots;
    // SLOT is 4: shifts, not a division by it.
    const mask = (slots.length >>> 2) - 1;
    let slot = hash & mask;
    for (;;) {
      const at = slot << 2;
      const p = (slots[at] as number) - 1;
      if (p < 0) break;
      if (
        slots[at + 1] === hash &&
        (ascii ? sameBytes(this.chars, p, ascii, start, end) : sameText(this.chars, p, text, start, end))
      )
        return at;
      slot = (slot + 1) & mask;
    }
    return this.insert(text, start, end, hash, terms, slot);
  }

  /**
   * entry() for a token met for the first time, whose place is `slot` (unless the table grows).
   * A method of its own, so that entry() stays small enough for the compiler to inline into the
   * caller's loop over every word: this part runs once per distinct token.
   */
  private insert(
    text: string,
    start: number,
    end: number,
    hash: number,
    terms: (token: string) => readonly number[],
    free: number,
  ): number {
    let slot = free;
    if ((this.count + 1) * 2 > this.slots.length / SLOT) {
      this.grow();
      const mask = this.slots.length / SLOT - 1;
      slot = hash & mask;
      while (this.slots[SLOT * slot] !== 0) slot = (slot + 1) & mask;
    }
    const p = this.store(text, start, end);
    this.count++;
    // A copy, not a slice: a slice would keep the whole field's text alive as long as the caller
    // keeps the token.
    const ids = terms(copyOf(text, start, end));
    let packed: number;
    if (ids.length === 1) packed = ids[0] as number;
    else {
      if (this.idCount + ids.length + 1 > this.ids.length)
        this.ids = grown(this.ids, Math.max(this.ids.length * 2, this.idCount + ids.length + 1));
      packed = -(this.idCount + 1);
      this.ids[this.idCount++] = ids.length;
      for (const id of ids) this.ids[this.idCount++] = id;
    }
    const at = SLOT * slot;
    this.slots[at] = p + 1;
    this.slots[at + 1] = hash;
    this.slots[at + 3] = packed;
    return at;
  }

  /** Gives the table's memory back now (see releaseBuffer): it is not used after this. */
  release(): void {
    for (const array of [this.slots, this.chars, this.ids]) releaseBuffer(array);
    this.count = 0;
    this.charCount = 0;
    this.idCount = 0;
  }

  /** Stores text[start, end) in `chars`; returns where. */
  private store(text: string, start: number, end: number): number {
    const length = end - start;
    if (this.charCount + length + 2 > this.chars.length) {
      const next = new Uint16Array(Math.max(this.chars.length * 2, this.charCount + length + 2));
      next.set(this.chars.subarray(0, this.charCount));
      releaseBuffer(this.chars);
      this.chars = next;
    }
    const chars = this.chars;
    const p = this.charCount;
    chars[p] = length & 0xffff;
    chars[p + 1] = length >>> 16;
    for (let i = 0; i < length; i++) chars[p + 2 + i] = text.charCodeAt(start + i);
    this.charCount = p + 2 + length;
    return p;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / SLOT - 1;
    for (let i = 0; i < old.length; i += SLOT) {
      if (old[i] === 0) continue;
      let slot = (old[i + 1] as number) & mask;
      while (slots[SLOT * slot] !== 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(i, i + SLOT), SLOT * slot);
    }
    releaseBuffer(old);
    this.slots = slots;
  }
}

/** Int32s per slot of TokenTable.slots. */
const SLOT = 4;

function grown(a: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(a);
  releaseBuffer(a);
  return next;
}

/** FNV-1a over a string's character codes: what a token's hash is when no scanner hands one over. */
export function hashOf(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h;
}

function copyOf(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end); // V8 copies short slices anyway
  let out = '';
  for (let i = start; i < end; i += 4096)
    out += String.fromCharCode(...sliceCodes(text, i, Math.min(end, i + 4096)));
  return out;
}

function sliceCodes(text: string, start: number, end: number): number[] {
  const codes = new Array<number>(end - start);
  for (let i = start; i < end; i++) codes[i - start] = text.charCodeAt(i);
  return codes;
}

/** Whether the token stored at p in `chars` is text[start, end). */
function sameText(chars: Uint16Array, p: number, text: string, start: number, end: number): boolean {
  const length = end - start;
  if (((chars[p] as number) | ((chars[p + 1] as number) << 16)) !== length) return false;
  const from = p + 2;
  for (let i = 0; i < length; i++) if (chars[from + i] !== text.charCodeAt(start + i)) return false;
  return true;
}

/** sameText, the text given as bytes. */
function sameBytes(chars: Uint16Array, p: number, bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (((chars[p] as number) | ((chars[p + 1] as number) << 16)) !== length) return false;
  const from = p + 2;
  for (let i = 0; i < length; i++) if (chars[from + i] !== bytes[start + i]) return false;
  return true;
}
