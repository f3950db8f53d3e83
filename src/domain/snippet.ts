import type { TextAnalysis } from './text-analysis.js';
import { scanWords } from './word-scanner.js';

/**
 * A short excerpt around the densest cluster of query terms, so a model can pick a result
 * without fetching it. Falls back to the opening of the text.
 */
export function makeSnippet(
  text: string,
  queryTerms: ReadonlySet<string>,
  analysis: Pick<TextAnalysis, 'processTerm'>,
  maxChars = 240,
): string {
  return new SnippetMaker(queryTerms, new SnippetWords(analysis.processTerm)).make(text, maxChars);
}

/**
 * What JSON.stringify escapes in a string (quotes, backslashes, control characters, and
 * surrogates when alone: any surrogate here, to be safe).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
export const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `text.replace(/\s+/g, ' ').trim()`, the same string, made from the parts that stay: only runs of
 * white space other than one ' ' are replaced. A global RegExp replace allocated ~25 bytes per
 * match (every single space between words) besides the result: at 50k documents the texts met
 * for the first time made most of a search's garbage (~110 KB a query) and so most of its
 * young-generation collections (~5 ms each there).
 */
export function collapseWhiteSpace(text: string): string {
  const n = text.length;
  let out = '';
  // text[from, at) is kept as it is; a run replaced starts at `at`.
  let from = 0;
  let at = 0;
  while (at < n) {
    if (!isWhiteSpace(text.charCodeAt(at))) {
      at++;
      continue;
    }
    let end = at + 1;
    while (end < n && isWhiteSpace(text.charCodeAt(end))) end++;
    if (at === 0 || end === n) {
      // Leading or trailing: dropped.
      if (at > from) out += text.slice(from, at);
      from = end;
    } else if (end - at > 1 || text.charCodeAt(at) !== 32) {
      out += `${text.slice(from, at)} `;
      from = end;
    }
    at = end;
  }
  if (from === 0) return text; // nothing to change
  return from < n ? out + text.slice(from) : out;
}

/** RegExp's \s (and what trim() removes): white space and line terminators. */
function isWhiteSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Words kept at most in a SnippetWords table; then it starts over. */
const MAX_WORDS = 1 << 17;
/** Bytes (estimated) of scanned texts a SnippetWords keeps; the least recently used go first. */
const SCANNED_BYTES = 16 << 20;

/** A text as snippets see it: white space collapsed, and its words that yield terms. */
interface ScannedText {
  readonly flat: string;
  /**
   * Per word that yields an index term (n of them): first the n word ids, then start and end (in
   * flat) of each, two by two. A query's walk reads the ids alone, a third of the memory it read
   * when each id sat beside its start and end.
   */
  readonly words: Int32Array;
  readonly bytes: number;
  /**
   * Whether flat holds nothing JSON escapes (JSON_ESCAPED): then no excerpt of it does either.
   * Undefined until the text is met again (a text met once is not worth the test of all of it).
   */
  clean: boolean | undefined;
  /** Whether a snippet was cut from it yet. */
  used: boolean;
  /** SnippetWords.insertions when it was last put at the recent end of the kept texts. */
  placed: number;
  /** Whether it is still kept (false once evicted, or when the table started over). */
  kept: boolean;
}

/**
 * The words snippets have met, with their index terms: a hash table over character codes, so that a
 * word seen before (most are: a corpus has a vocabulary) is recognized without cutting it out of
 * the text, and analyzed only the first time. Also remembers, per query, which query term a word
 * yields, and, per text, where its words are (so a section met again costs no scan). One per
 * index; bounded (it empties itself when full).
 */
export class SnippetWords {
  /**
   * The table's slots, side by side: per slot its word's hash (0: empty), word id, and where the
   * word's characters are in `chars` and how many. One cache line per probe, and the characters
   * compared are in one array: with a string and a separate array per field, recognizing a word
   * was four cache misses (a fresh index's first searches, scanning texts met for the first time,
   * were bound by them). Ids count up from 0 and hold until the table starts over.
   */
  private slots = new Int32Array(4 * 4096);
  private capacity = 4096;
  /** The words' characters, one after another. */
  private chars = new Uint16Array(32768);
  private charsUsed = 0;
  /** How many word ids are given. */
  private wordCount = 0;
  /**
   * Per word id: its terms (as numbers in termIds) are wordTermList[wordTermFrom[id] ..
   * wordTermTo[id]). Typed arrays rather than an array per word: a fresh index's first searches
   * meet thousands of words, and every object kept is young-generation GC work.
   */
  private wordTermFrom = new Int32Array(4096);
  private wordTermTo = new Int32Array(4096);
  private wordTermList = new Int32Array(16384);
  private wordTermUsed = 0;
  /**
   * Per term number: the words that yield it, so a query marks its words up front: a list through
   * entries (entry 0 ends a list) of word id, the term's place among the word's terms, next entry.
   */
  private termHead = new Int32Array(1024);
  private entryWord = new Int32Array(16384);
  private entryPlace = new Int32Array(16384);
  private entryNext = new Int32Array(16384);
  private entryUsed = 1;
  /**
   * Per term number: how many entries it has, and its entries' word and place copied side by side
   * into one array (wordsOf) when a query last needed them, with how many there were then. A query
   * reads a term's words from there while no word was added to it since, where following the
   * list's entries, scattered over the arrays as words came, was a cache miss each under load.
   */
  private termEntries = new Int32Array(1024);
  private wordsOf: (Int32Array | undefined)[] = [];
  /** Per term number: its entry count when a query last needed it without a copy (see wordsOfTerm). */
  private countSeen = new Int32Array(1024);
  /** Every term a word has yielded, numbered; and per number, the query (stamp) and query term it is. */
  private readonly termIds = new Map<string, number>();
  private termStamps = new Int32Array(1024);
  private termNumbers = new Int32Array(1024);
  /**
   * Per word id, for the query stamped `idStamps[id]`: the number of the first query term it
   * yields. nextQuery stamps every word that yields a query term, and a word met for the first
   * time is stamped when it is added: a word not stamped for the current query yields none.
   */
  private idStamps = new Int32Array(4096);
  /**
   * The same as a bit per word id (bit id set: stamped for the current query), cleared by each
   * query: what a kept text's walk tests. A few KB that stay in the cache, where idStamps (4 bytes
   * a word) was a cache miss per word under load.
   */
  private marked = new Int32Array(4096 >>> 5);
  private idNumbers = new Int32Array(4096);
  /** Per word id stamped for a query: the place (among the word's terms) of the term that gave its number. */
  private idPlaces = new Int32Array(4096);
  /** Per word id: 1 for a word that yields no term (a stop word), read without its term list. */
  private termless = new Uint8Array(4096);
  private used = 0;
  private stamp = 0;
  /** Counts the times the table started over: word ids from an earlier generation are void. */
  private generation = 0;
  /** Texts scanned, by text, least recently used first; and their estimated size. */
  private readonly scanned = new Map<string, ScannedText>();
  private scannedBytes = 0;
  /** Kept texts by the caller's number for them (see make): no string-keyed look-up per text. */
  private byKey: (ScannedText | undefined)[] = [];
  /** How many texts were newly kept: what moves kept texts towards eviction. */
  private insertions = 0;

  /** Where scan() collects a text's words before copying them out. */
  private scratch = new Int32Array(768);

  /** The hits of the text a snippet is being cut from, reused from one text to the next. */
  readonly hits = new HitList();

  constructor(private readonly processTerm: (word: string) => readonly string[]) {}

  /** A new query, its terms numbered as in termNumber: numbers remembered for earlier ones no longer count. */
  nextQuery(termNumber: ReadonlyMap<string, number>): number {
    this.stamp = (this.stamp + 1) | 0 || 1;
    this.marked.fill(0, 0, (this.wordCount + 31) >>> 5);
    this.markQuery(this.stamp, termNumber);
    return this.stamp;
  }

  /** The number (in termNumber) of the first query term that text[start, end) yields, or -1. */
  numberOf(
    text: string,
    start: number,
    end: number,
    hash: number,
    stamp: number,
    termNumber: ReadonlyMap<string, number>,
  ): number {
    return this.numberOfWord(this.idOf(text, start, end, hash, stamp, termNumber), stamp);
  }

  /** The number (for query `stamp`, the current one) of the first query term that word `id` yields, or -1. */
  numberOfWord(id: number, stamp: number): number {
    return this.idStamps[id] === stamp ? (this.idNumbers[id] as number) : -1;
  }

  /**
   * The words of a scanned text that yield a query term (for query `stamp`): their start, end and
   * term number appended to the arrays; returns how many.
   */
  hitsIn(words: Int32Array, stamp: number, hits: HitList): number {
    const numbers = this.idNumbers;
    let count = 0;
    const n = words.length / 3;
    if (stamp === this.stamp) {
      // The current query: its bits say what idStamps[id] === stamp says (see marked).
      const marked = this.marked;
      for (let w = 0; w < n; w++) {
        const id = words[w] as number;
        if (((marked[id >>> 5] as number) & (1 << (id & 31))) === 0) continue;
        const at = n + 2 * w;
        hits.add(words[at] as number, words[at + 1] as number, numbers[id] as number);
        count++;
      }
      return count;
    }
    const stamps = this.idStamps;
    for (let w = 0; w < n; w++) {
      const id = words[w] as number;
      if (stamps[id] !== stamp) continue;
      const at = n + 2 * w;
      hits.add(words[at] as number, words[at + 1] as number, numbers[id] as number);
      count++;
    }
    return count;
  }

  /** Stamps word `id` for query `stamp` with the number of the first query term it yields, if any. */
  private markWord(id: number, stamp: number): void {
    const from = this.wordTermFrom[id] as number;
    const to = this.wordTermTo[id] as number;
    for (let place = 0; place < to - from; place++) {
      const t = this.wordTermList[from + place] as number;
      if (this.termStamps[t] === stamp) {
        this.idStamps[id] = stamp;
        this.marked[id >>> 5] = (this.marked[id >>> 5] as number) | (1 << (id & 31));
        this.idNumbers[id] = this.termNumbers[t] as number;
        this.idPlaces[id] = place;
        return;
      }
    }
  }

  /**
   * The text with white space collapsed and where its words are, scanned once and then kept
   * (bounded); undefined when the table started over during the scan (its word ids are void).
   */
  scan(
    text: string,
    stamp: number,
    termNumber: ReadonlyMap<string, number>,
    key = -1,
  ): ScannedText | undefined {
    if (key >= 0) {
      const entry = this.byKey[key];
      if (entry?.kept) {
        // Moved to the recent end only once half as many texts as are kept came in since it was
        // put there: kept texts met again and again (a corpus whose texts all fit) cost no Map
        // deletes and inserts.
        if (this.insertions - entry.placed > this.scanned.size >>> 1) this.touch(text, entry);
        return entry;
      }
    }
    const kept = this.scanned.get(text);
    if (kept) {
      this.touch(text, kept);
      if (key >= 0) this.byKey[key] = kept;
      return kept;
    }
    const flat = collapseWhiteSpace(text);
    const generation = this.generation;
    // Into a scratch array kept from one text to the next, then copied at its length (growing a
    // fresh array per text was garbage for every text met for the first time).
    let words = this.scratch;
    let k = 0;
    scanWords(flat, (start, end, hash) => {
      const id = this.idOf(flat, start, end, hash, stamp, termNumber);
      if (this.termless[id] === 1) return; // stop words
      if (k + 3 > words.length) {
        const more = new Int32Array(words.length * 2);
        more.set(words);
        words = more;
        this.scratch = more;
      }
      words[k++] = start;
      words[k++] = end;
      words[k++] = id;
    });
    if (generation !== this.generation) return undefined;
    const entry: ScannedText = {
      flat: flat === text ? text : flat,
      words: idsFirst(words, k),
      clean: undefined,
      used: false,
      bytes: 2 * (text.length + (flat === text ? 0 : flat.length)) + 4 * k + 64,
      placed: 0,
      kept: false,
    };
    if (entry.bytes > SCANNED_BYTES / 4) return entry;
    entry.kept = true;
    entry.placed = ++this.insertions;
    this.scanned.set(text, entry);
    if (key >= 0) this.byKey[key] = entry;
    this.scannedBytes += entry.bytes;
    for (const [oldText, old] of this.scanned) {
      if (this.scannedBytes <= SCANNED_BYTES) break;
      this.scanned.delete(oldText);
      this.scannedBytes -= old.bytes;
      old.kept = false;
    }
    return entry;
  }

  /** Puts a kept text at the recent end of `scanned`. */
  private touch(text: string, entry: ScannedText): void {
    this.scanned.delete(text);
    this.scanned.set(text, entry);
    entry.placed = this.insertions;
  }

  /** The id of the word text[start, end), analyzed if new. */
  private idOf(
    text: string,
    start: number,
    end: number,
    hash: number,
    stamp: number,
    termNumber: ReadonlyMap<string, number>,
  ): number {
    const h = hash | 1; // 0 marks an empty slot
    const mask = this.capacity - 1;
    const slots = this.slots;
    const length = end - start;
    let slot = h & mask;
    for (;;) {
      const at = slot << 2;
      const stored = slots[at] as number;
      if (stored === 0) break;
      if (
        stored === h &&
        slots[at + 3] === length &&
        sameChars(this.chars, slots[at + 2] as number, text, start, length)
      )
        return slots[at + 1] as number;
      slot = (slot + 1) & mask;
    }
    if (this.used * 2 >= this.capacity) {
      if (this.used >= MAX_WORDS) this.clear(stamp, termNumber);
      else this.grow();
      return this.idOf(text, start, end, hash, stamp, termNumber);
    }
    const word = text.slice(start, end);
    const id = this.wordCount++;
    if (this.charsUsed + length > this.chars.length)
      this.chars = grown(this.chars, 2 * (this.charsUsed + length));
    const chars = this.chars;
    const offset = this.charsUsed;
    for (let i = 0; i < length; i++) chars[offset + i] = text.charCodeAt(start + i);
    this.charsUsed = offset + length;
    const at = slot << 2;
    slots[at] = h;
    slots[at + 1] = id;
    slots[at + 2] = offset;
    slots[at + 3] = length;
    if (id >= this.idStamps.length) this.growIds(this.idStamps.length * 2);
    const terms = this.processTerm(word);
    const from = this.wordTermUsed;
    if (from + terms.length > this.wordTermList.length)
      this.wordTermList = grown(this.wordTermList, 2 * (from + terms.length));
    for (let place = 0; place < terms.length; place++) {
      const t = this.termId(terms[place] as string);
      this.wordTermList[from + place] = t;
      this.addEntry(t, id, place);
    }
    this.wordTermUsed = from + terms.length;
    this.wordTermFrom[id] = from;
    this.wordTermTo[id] = this.wordTermUsed;
    this.termless[id] = terms.length === 0 ? 1 : 0;
    this.idStamps[id] = 0;
    this.marked[id >>> 5] = (this.marked[id >>> 5] as number) & ~(1 << (id & 31));
    this.markWord(id, stamp);
    this.used++;
    return id;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termIds.size;
      this.termIds.set(term, id);
      if (id >= this.termStamps.length) {
        const size = this.termStamps.length * 2;
        this.termStamps = grown(this.termStamps, size);
        this.termNumbers = grown(this.termNumbers, size);
        this.termHead = grown(this.termHead, size);
        this.termEntries = grown(this.termEntries, size);
        this.countSeen = grown(this.countSeen, size);
      }
      this.termHead[id] = 0;
      this.termEntries[id] = 0;
      this.countSeen[id] = -1;
      this.wordsOf[id] = undefined;
    }
    return id;
  }

  /** Records that word `id` yields term `t` as its terms' `place`-th. */
  private addEntry(t: number, id: number, place: number): void {
    const e = this.entryUsed++;
    if (e >= this.entryWord.length) {
      const size = this.entryWord.length * 2;
      this.entryWord = grown(this.entryWord, size);
      this.entryPlace = grown(this.entryPlace, size);
      this.entryNext = grown(this.entryNext, size);
    }
    this.entryWord[e] = id;
    this.entryPlace[e] = place;
    this.entryNext[e] = this.termHead[t] as number;
    this.termHead[t] = e;
    this.termEntries[t] = (this.termEntries[t] as number) + 1;
  }

  /**
   * Term t's words and places, two by two (see wordsOf); undefined while words keep coming to it
   * (then the caller follows the list): the copy is made once its count stood still from one
   * query that needed it to the next, so a fresh index's first queries, which meet new words all
   * the time, do not copy lists that are about to grow again.
   */
  private wordsOfTerm(t: number): Int32Array | undefined {
    const count = this.termEntries[t] as number;
    const pairs = this.wordsOf[t];
    if (pairs !== undefined && pairs.length === 2 * count) return pairs;
    if (this.countSeen[t] !== count) {
      this.countSeen[t] = count;
      return undefined;
    }
    const copy = new Int32Array(2 * count);
    let k = 0;
    for (let e = this.termHead[t] as number; e !== 0; e = this.entryNext[e] as number) {
      copy[k++] = this.entryWord[e] as number;
      copy[k++] = this.entryPlace[e] as number;
    }
    this.wordsOf[t] = copy;
    return copy;
  }

  /** Room for word ids below `size`. */
  private growIds(size: number): void {
    this.idStamps = grown(this.idStamps, size);
    this.marked = grown(this.marked, (size + 31) >>> 5);
    this.idNumbers = grown(this.idNumbers, size);
    this.idPlaces = grown(this.idPlaces, size);
    this.termless = grown(this.termless, size);
    this.wordTermFrom = grown(this.wordTermFrom, size);
    this.wordTermTo = grown(this.wordTermTo, size);
  }

  /**
   * Marks the query's terms (those a word has yielded so far or will) for query `stamp`, then the
   * words known to yield them.
   */
  private markQuery(stamp: number, termNumber: ReadonlyMap<string, number>): void {
    const stamps = this.idStamps;
    const marked = this.marked;
    const numbers = this.idNumbers;
    const places = this.idPlaces;
    for (const [term, n] of termNumber) {
      const t = this.termId(term);
      this.termStamps[t] = stamp;
      this.termNumbers[t] = n;
      // A word's number is that of the first of its terms the query has (a word's entries for
      // one term, if any word yielded a term twice, are met in any order: the lowest place wins).
      const pairs = this.wordsOfTerm(t);
      if (pairs)
        for (let k = 0; k < pairs.length; k += 2) {
          const word = pairs[k] as number;
          const place = pairs[k + 1] as number;
          if (stamps[word] === stamp && (places[word] as number) <= place) continue;
          stamps[word] = stamp;
          marked[word >>> 5] = (marked[word >>> 5] as number) | (1 << (word & 31));
          numbers[word] = n;
          places[word] = place;
        }
      else
        for (let e = this.termHead[t] as number; e !== 0; e = this.entryNext[e] as number) {
          const word = this.entryWord[e] as number;
          const place = this.entryPlace[e] as number;
          if (stamps[word] === stamp && (places[word] as number) <= place) continue;
          stamps[word] = stamp;
          marked[word >>> 5] = (marked[word >>> 5] as number) | (1 << (word & 31));
          numbers[word] = n;
          places[word] = place;
        }
    }
  }

  /** Starts over (words, terms and scanned texts), keeping the current query's terms marked. */
  private clear(stamp: number, termNumber: ReadonlyMap<string, number>): void {
    this.generation++;
    this.resize(this.capacity); // the size it grew to: the next words will need it again
    this.charsUsed = 0;
    this.wordCount = 0;
    this.wordTermUsed = 0;
    this.entryUsed = 1;
    this.idStamps.fill(0);
    this.marked.fill(0);
    this.termIds.clear();
    this.termStamps.fill(0);
    this.wordsOf = [];
    for (const entry of this.scanned.values()) entry.kept = false;
    this.scanned.clear();
    this.byKey = [];
    this.scannedBytes = 0;
    this.markQuery(stamp, termNumber);
  }

  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.resize(oldCapacity * 2);
    const slots = this.slots;
    const mask = this.capacity - 1;
    for (let i = 0; i < oldCapacity; i++) {
      const h = old[i << 2] as number;
      if (h === 0) continue;
      let slot = h & mask;
      while (slots[slot << 2] !== 0) slot = (slot + 1) & mask;
      // Four copies, not a subarray per word (an object each: a fresh index's table grows
      // during its first searches, and 8k words took ~3 ms).
      const from = i << 2;
      const to = slot << 2;
      slots[to] = h;
      slots[to + 1] = old[from + 1] as number;
      slots[to + 2] = old[from + 2] as number;
      slots[to + 3] = old[from + 3] as number;
      this.used++;
    }
  }

  private resize(size: number): void {
    this.slots = new Int32Array(4 * size);
    this.capacity = size;
    this.used = 0;
  }
}

/** Snippets for one query. */
export class SnippetMaker {
  /** Each query term as a small number, so a window's distinct terms are counted in an array. */
  private readonly termNumber = new Map<string, number>();
  private readonly stamp: number;
  /**
   * After make(): true when the snippet it gave surely holds nothing JSON escapes (it was cut from
   * a kept text that holds none); false when that is not known.
   */
  clean = false;

  constructor(
    queryTerms: ReadonlySet<string>,
    private readonly words: SnippetWords,
  ) {
    for (const t of queryTerms) this.termNumber.set(t, this.termNumber.size);
    this.stamp = words.nextQuery(this.termNumber);
  }

  /**
   * The snippet of `text`. `key`, when given (a number from 0, such as a section's), names this
   * very text for the words table's kept scans: the same key must always come with the same text.
   */
  make(text: string, maxChars = 240, key = -1): string {
    // A short text is its own snippet: not worth keeping.
    const scanned =
      text.length > maxChars ? this.words.scan(text, this.stamp, this.termNumber, key) : undefined;
    // The excerpt adds only '…' to a part of flat.
    if (scanned === undefined) this.clean = false;
    else if (!scanned.used) {
      scanned.used = true;
      this.clean = false;
    } else {
      scanned.clean ??= !JSON_ESCAPED.test(scanned.flat);
      this.clean = scanned.clean;
    }
    const flat = scanned?.flat ?? collapseWhiteSpace(text);
    if (flat.length <= maxChars) return flat;
    const hits = this.words.hits;
    hits.count = 0;
    if (scanned) this.words.hitsIn(scanned.words, this.stamp, hits);
    else
      scanWords(flat, (start, end, hash) => {
        const n = this.words.numberOf(flat, start, end, hash, this.stamp, this.termNumber);
        if (n >= 0) hits.add(start, end, n);
      });
    return cut(flat, hits, this.termNumber.size, maxChars);
  }
}

/** Words that yield a query term: start, end (in the flat text) and term number, in text order. */
export class HitList {
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  numbers = new Int32Array(64);

  add(start: number, end: number, number: number): void {
    if (this.count === this.starts.length) {
      const size = this.count * 2;
      const grown = (a: Int32Array) => {
        const b = new Int32Array(size);
        b.set(a);
        return b;
      };
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
      this.numbers = grown(this.numbers);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.numbers[this.count] = number;
    this.count++;
  }
}

/** words[0..k) (start, end, id per word) laid out as ScannedText.words: the ids, then start and end. */
function idsFirst(words: Int32Array, k: number): Int32Array {
  const n = k / 3;
  const out = new Int32Array(k);
  for (let w = 0; w < n; w++) {
    out[w] = words[3 * w + 2] as number;
    out[n + 2 * w] = words[3 * w] as number;
    out[n + 2 * w + 1] = words[3 * w + 1] as number;
  }
  return out;
}

/** A copy of `a` with room for `size` elements. */
function grown<A extends Int32Array | Uint8Array | Uint16Array>(a: A, size: number): A {
  const b = new (a.constructor as new (n: number) => A)(size);
  b.set(a);
  return b;
}

/** Whether chars[offset, offset + length) holds the characters of text[start, start + length). */
function sameChars(chars: Uint16Array, offset: number, text: string, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (chars[offset + i] !== text.charCodeAt(start + i)) return false;
  return true;
}

/** The excerpt of at most maxChars around the densest cluster of hits (start, end, term number). */
function cut(flat: string, hits: HitList, termCount: number, maxChars: number): string {
  let bestStart = 0;
  const { count, starts, ends, numbers } = hits;
  if (count) {
    // The first hit that opens a window of maxChars with the most distinct terms: a window
    // sliding over the hits (ends grow with starts), counting terms in and out.
    const counts = new Int32Array(termCount);
    let best = -1;
    let distinct = 0;
    let j = 0;
    for (let i = 0; i < count; i++) {
      const from = starts[i] as number;
      if (j < i) j = i; // hit i-1 alone was longer than a window: the window is empty
      while (j < count && (ends[j] as number) - from <= maxChars) {
        const n = numbers[j] as number;
        if (counts[n] === 0) distinct++;
        counts[n] = (counts[n] as number) + 1;
        j++;
      }
      if (distinct > best) {
        best = distinct;
        bestStart = from;
      }
      if (j > i) {
        const n = numbers[i] as number;
        counts[n] = (counts[n] as number) - 1;
        if (counts[n] === 0) distinct--;
      }
    }
    // Give the first hit a little leading context, starting on a word boundary.
    bestStart = Math.max(0, bestStart - Math.floor(maxChars / 5));
    if (bestStart > 0) {
      const space = flat.indexOf(' ', bestStart);
      bestStart = space >= 0 ? space + 1 : bestStart;
    }
  }
  let end = Math.min(flat.length, bestStart + maxChars);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > bestStart) end = space;
  }
  return `${bestStart > 0 ? '…' : ''}${flat.slice(bestStart, end)}${end < flat.length ? '…' : ''}`;
}
