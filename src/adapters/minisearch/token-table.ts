/**
 * The distinct tokens a build has met, each with its term numbers: an open-addressing hash table
 * over a token's characters, so that a token met before (most are: a corpus has a vocabulary) is
 * found from its place in the text without being cut out as a string. Entries are numbered densely
 * from 0; each also keeps a stamp (FieldedBm25 counts distinct tokens per field with it).
 */
export class TokenTable {
  /** Slot → entry + 1 (0: empty), and the slot's hash. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private tokens: string[] = [];
  /** Entry e's term numbers are ids[idStart[e] .. idStart[e + 1]). */
  private idStart: number[] = [0];
  private ids: number[] = [];
  stamps = new Int32Array(1 << 10);

  get size(): number {
    return this.tokens.length;
  }

  /** The term numbers of entry e, as a range of `termIds`. */
  from(e: number): number {
    return this.idStart[e] as number;
  }
  to(e: number): number {
    return this.idStart[e + 1] as number;
  }
  get termIds(): readonly number[] {
    return this.ids;
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
    let mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const e = (this.slots[slot] as number) - 1;
      if (e < 0) break;
      if (this.hashes[slot] === hash && sameText(this.tokens[e] as string, text, start, end)) return e;
      slot = (slot + 1) & mask;
    }
    if ((this.tokens.length + 1) * 2 > this.slots.length) {
      this.grow();
      mask = this.slots.length - 1;
      slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    }
    // A copy, not a slice: a slice would keep the whole field's text alive as long as the token.
    const token = copyOf(text, start, end);
    const e = this.tokens.length;
    this.tokens.push(token);
    for (const id of terms(token)) this.ids.push(id);
    this.idStart.push(this.ids.length);
    this.slots[slot] = e + 1;
    this.hashes[slot] = hash;
    if (e >= this.stamps.length) {
      const bigger = new Int32Array(this.stamps.length * 2);
      bigger.set(this.stamps);
      this.stamps = bigger;
    }
    return e;
  }

  private grow(): void {
    const slots = this.slots;
    const hashes = this.hashes;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      const e = slots[i] as number;
      if (e === 0) continue;
      const h = hashes[i] as number;
      let slot = h & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = e;
      this.hashes[slot] = h;
    }
  }
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
