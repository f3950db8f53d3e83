/**
 * The distinct tokens a build has met, each with its term numbers: an open-addressing hash table
 * over a token's characters, so that a token met before (most are: a corpus has a vocabulary) is
 * found from its place in the text without being cut out as a string. Entries are numbered densely
 * from 0; each also keeps a stamp (FieldedBm25 counts distinct tokens per field with it).
 *
 * Laid out for a build that looks up every word of a corpus: a slot's entry and hash sit side by
 * side, and an entry's term range and stamp too (one Int32Array each), so a word met before costs
 * two array reads before its characters are compared, not five scattered ones.
 */
export class TokenTable {
  /** Slot s: slots[2s] = entry + 1 (0: empty), slots[2s + 1] = the entry's hash. */
  private slots = new Int32Array(2 << 12);
  private tokens: string[] = [];
  /**
   * Entry e: its term numbers are ids[info[3e] .. info[3e + 1]); info[3e + 2] is its stamp.
   * Replaced when it grows: read it after entry().
   */
  info: Int32Array = new Int32Array(3 << 10);
  /** The entries' term numbers, one run per entry. Replaced when it grows: read it after entry(). */
  ids: Int32Array = new Int32Array(1 << 12);
  private idCount = 0;

  get size(): number {
    return this.tokens.length;
  }

  /**
   * The entry of text[start, end) (whose characters hash to `hash`, see hashOf), made with `terms`
   * the first time it is met.
   */
  entry(
    text: string,
    start: number,
    end: number,
    hash: number,
    terms: (token: string) => readonly number[],
  ): number {
    const slots = this.slots;
    let mask = (slots.length >>> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const e = (slots[2 * slot] as number) - 1;
      if (e < 0) break;
      if (slots[2 * slot + 1] === hash && sameText(this.tokens[e] as string, text, start, end)) return e;
      slot = (slot + 1) & mask;
    }
    if ((this.tokens.length + 1) * 2 > slots.length >>> 1) {
      this.grow();
      mask = (this.slots.length >>> 1) - 1;
      slot = hash & mask;
      while (this.slots[2 * slot] !== 0) slot = (slot + 1) & mask;
    }
    // A copy, not a slice: a slice would keep the whole field's text alive as long as the token.
    const token = copyOf(text, start, end);
    const e = this.tokens.length;
    this.tokens.push(token);
    const from = this.idCount;
    for (const id of terms(token)) {
      if (this.idCount === this.ids.length) this.ids = grown(this.ids, this.idCount * 2);
      this.ids[this.idCount++] = id;
    }
    if (3 * e + 3 > this.info.length) this.info = grown(this.info, this.info.length * 2);
    this.info[3 * e] = from;
    this.info[3 * e + 1] = this.idCount;
    this.slots[2 * slot] = e + 1;
    this.slots[2 * slot + 1] = hash;
    return e;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >>> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const e = old[i] as number;
      if (e === 0) continue;
      const h = old[i + 1] as number;
      let slot = h & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = e;
      slots[2 * slot + 1] = h;
    }
    this.slots = slots;
  }
}

function grown(a: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(a);
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

function sameText(token: string, text: string, start: number, end: number): boolean {
  if (token.length !== end - start) return false;
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
