import type { IndexedDocument, Section, SplitDocument } from './document.js';

/**
 * A section as the index keeps it: its plain text not as a string of its own but as the runs of
 * its Markdown it is made of (plain text is the Markdown without its syntax: markers, backticks,
 * link targets, fences), rebuilt when asked for. At 10k documents the plain texts were ~45 MB
 * beside ~50 MB of Markdown, both held for the index's life and at the build's peak; their runs
 * take ~2-5 MB. The lead (the first paragraphs, a slice of the plain text) is kept as where it is
 * in it. A plain text that is not made of runs of the Markdown in order (HTML, entities), or not
 * in few enough of them, is kept as it is.
 *
 * The section's URL, the document's plus `#anchor`, is made when read too (two string objects less
 * per section). Every field reads as the splitter gave it (`plain`, `lead` and `url` through
 * getters); the plain text is rebuilt on each read (~15 slices of the Markdown joined:
 * microseconds), which only snippets do once the index is built (a persisted snapshot stores the
 * runs: see storedText).
 */

/** A section's fields but its texts (Section.plain and lead), which StoredText gives. */
export type SectionFields = Omit<Section, 'plain' | 'lead'>;

/** How a StoredSection holds its plain text and lead; a persisted snapshot stores them so too. */
export interface StoredText {
  /** encodeRuns' runs of the section's Markdown; undefined when the plain text is `plain`. */
  readonly plainRuns?: string;
  readonly plain?: string;
  /** Where the lead is in the plain text; -1 when it is not in it (then it is `lead`). */
  readonly leadStart: number;
  readonly leadEnd: number;
  readonly lead?: string;
}

/** How a StoredSection would hold this section's plain text and lead. */
export function storedText(s: Section): StoredText {
  const plain = s.plain;
  // A heading's own line is not in its plain text: the runs start after it.
  const from = s.level > 0 ? s.markdown.indexOf('\n') + 1 || s.markdown.length : 0;
  const plainRuns = encodeRuns(plain, s.markdown, from);
  const lead = s.lead;
  const at = plain.indexOf(lead);
  return {
    plainRuns,
    plain: plainRuns === undefined ? plain : undefined,
    leadStart: at,
    leadEnd: at < 0 ? -1 : at + lead.length,
    lead: at < 0 ? lead : undefined,
  };
}

export class StoredSection implements Section {
  readonly id: string;
  readonly docId: string;
  readonly docTitle: string;
  readonly heading: string;
  readonly headingPath: readonly string[];
  readonly level: number;
  readonly anchor: string;
  readonly markdown: string;
  readonly order: number;
  /**
   * The document's URL, when the section's is it plus `#anchor` (as the splitter makes it: then
   * not kept as a string of its own, two string objects per section); else the section's URL.
   */
  private readonly urlBase: string;
  private readonly urlIsBase: boolean;
  /** See encodeRuns; undefined when the plain text is kept as it is (`text`). */
  private readonly runs: string | undefined;
  private readonly text: string | undefined;
  /** Where the lead is in the plain text; -1 when it is not in it (then `leadText`). */
  private readonly leadStart: number;
  private readonly leadEnd: number;
  private readonly leadText: string | undefined;

  /**
   * `s` held so; `docUrl` is its document's (see urlBase); `text`: its texts as storedText gives
   * them (from a snapshot), else made from `s` (then a Section).
   */
  constructor(s: SectionFields | Section, docUrl?: string, text: StoredText = storedText(s as Section)) {
    this.id = s.id;
    this.docId = s.docId;
    this.docTitle = s.docTitle;
    this.heading = s.heading;
    this.headingPath = s.headingPath;
    this.level = s.level;
    this.anchor = s.anchor;
    this.markdown = s.markdown;
    this.order = s.order;
    const derived = docUrl !== undefined && s.url === (s.anchor ? `${docUrl}#${s.anchor}` : docUrl);
    this.urlBase = derived ? docUrl : s.url;
    this.urlIsBase = derived;
    this.runs = text.plainRuns;
    this.text = text.plainRuns === undefined ? (text.plain ?? '') : undefined;
    this.leadStart = text.leadStart;
    this.leadEnd = text.leadEnd;
    this.leadText = text.leadStart < 0 ? (text.lead ?? '') : undefined;
  }

  /** Its texts as held (what a snapshot stores; see storedText). */
  storedText(): StoredText {
    return {
      plainRuns: this.runs,
      plain: this.text,
      leadStart: this.leadStart,
      leadEnd: this.leadEnd,
      lead: this.leadText,
    };
  }

  /** Section.url. */
  get url(): string {
    return this.urlIsBase && this.anchor ? `${this.urlBase}#${this.anchor}` : this.urlBase;
  }

  /** Plain text used for indexing and snippets (Section.plain). */
  get plain(): string {
    return this.runs === undefined ? (this.text as string) : decodeRuns(this.runs, this.markdown);
  }

  /** Section.lead. */
  get lead(): string {
    return this.leadText ?? this.plain.slice(this.leadStart, this.leadEnd);
  }

  /** The plain text and the lead, the plain text rebuilt once for both. */
  texts(): SectionTexts {
    const plain = this.plain;
    return this.leadText === undefined
      ? { plain, lead: plain.slice(this.leadStart, this.leadEnd), leadStart: this.leadStart }
      : { plain, lead: this.leadText, leadStart: -1 };
  }
}

/** A section's plain text and lead, and where the lead is in the plain text (its first place). */
export interface SectionTexts {
  readonly plain: string;
  readonly lead: string;
  /**
   * Where the lead was read off the plain text (plain.slice(leadStart, leadStart + lead.length)
   * is the lead), or -1 when that is not known. Not necessarily the lead's first place: a caller
   * that needs that checks it (see DocIndex's leadParts).
   */
  readonly leadStart: number;
}

/** A section's plain text and lead, rebuilt once when it is a StoredSection. */
export function sectionTexts(s: Section): SectionTexts {
  return s instanceof StoredSection ? s.texts() : { plain: s.plain, lead: s.lead, leadStart: -1 };
}

/** The split with its sections as StoredSections (those that are already stay as they are). */
export function storedSplit(split: SplitDocument): SplitDocument {
  const document = storedDocument(split.document);
  return document === split.document ? split : { document, links: split.links };
}

/** The document with its sections as StoredSections (itself when they all are). */
export function storedDocument(doc: IndexedDocument): IndexedDocument {
  if (doc.sections.every((s) => s instanceof StoredSection)) return doc;
  return {
    id: doc.id,
    title: doc.title,
    path: doc.path,
    url: doc.url,
    markdown: doc.markdown,
    sections: doc.sections.map((s) => (s instanceof StoredSection ? s : new StoredSection(s, doc.url))),
  };
}

/** A value this large or larger is written as ESCAPE and two more units (high, low 16 bits). */
const ESCAPE = 0xffff;

/**
 * `plain` as the runs of `markdown` (from `from` on, in order) it is made of: per run, how many
 * characters are skipped since the end of the previous one (or `from`'s start, 0), then how many
 * are taken, each as one UTF-16 unit (a one-byte string when all are under 256). Undefined when
 * `plain` is not made of such runs, or when the runs would not take under a quarter of its length.
 */
export function encodeRuns(plain: string, markdown: string, from: number): string | undefined {
  const n = plain.length;
  const m = markdown.length;
  // Three units per value at most, two values per run: enough room for `limit` units and one run.
  const limit = n >>> 2;
  if (scratch.length < limit + 6) scratch = new Uint16Array(Math.max(limit + 6, scratch.length * 2));
  const ascii = asciiBytes(plain, markdown);
  const used = ascii ? runsOfBytes(ascii, n, m, from, limit) : runsOfChars(plain, markdown, from, limit);
  if (used <= 0) return undefined;
  return String.fromCharCode.apply(null, scratch.subarray(0, used) as unknown as number[]);
}

/** Writes value `v` at `used` in scratch (see ESCAPE); returns the next place. */
function put(used: number, v: number): number {
  const codes = scratch;
  if (v < ESCAPE) {
    codes[used] = v;
    return used + 1;
  }
  codes[used] = ESCAPE;
  codes[used + 1] = v >>> 16;
  codes[used + 2] = v & 0xffff;
  return used + 3;
}

/**
 * encodeRuns over the characters; the number of units written into scratch, or -1 when `plain`
 * is not runs of `markdown` from `from` on or they would take `limit` units or more.
 */
function runsOfChars(plain: string, markdown: string, from: number, limit: number): number {
  const n = plain.length;
  const m = markdown.length;
  let used = 0;
  let i = 0;
  let j = from;
  let last = 0;
  while (i < n) {
    // The next run starts at the first place the next character is (the skipped ones are syntax).
    const c = plain.charCodeAt(i);
    while (j < m && markdown.charCodeAt(j) !== c) j++;
    if (j >= m) return -1;
    const at = j;
    i++;
    j++;
    while (i < n && j < m && plain.charCodeAt(i) === markdown.charCodeAt(j)) {
      i++;
      j++;
    }
    used = put(put(used, at - last), j - at);
    if (used >= limit) return -1;
    last = j;
  }
  return used;
}

/** runsOfChars over ASCII texts as bytes: plain's n at 0, the Markdown's m after them. */
function runsOfBytes(bytes: Uint8Array, n: number, m: number, from: number, limit: number): number {
  let used = 0;
  let i = 0;
  let j = n + from;
  const end = n + m;
  let last = n;
  while (i < n) {
    const c = bytes[i];
    while (j < end && bytes[j] !== c) j++;
    if (j >= end) return -1;
    const at = j;
    i++;
    j++;
    // Runs are mostly words and sentences: compared four bytes at a time (DataView reads them at
    // any offset), the rest one by one.
    const words = bytesView;
    while (i + 4 <= n && j + 4 <= end && words.getUint32(i) === words.getUint32(j)) {
      i += 4;
      j += 4;
    }
    while (i < n && j < end && bytes[i] === bytes[j]) {
      i++;
      j++;
    }
    used = put(put(used, at - last), j - at);
    if (used >= limit) return -1;
    last = j;
  }
  return used;
}

const encoder = new TextEncoder();
/** Texts this long or longer are compared as characters (a byte copy of them is not kept). */
const MAX_BYTES = 1 << 20;
let bytesScratch = new Uint8Array(4096);
/** bytesScratch as a DataView (see runsOfBytes). */
let bytesView = new DataView(bytesScratch.buffer);

/**
 * `plain` then `markdown` as bytes, one per character, when both are ASCII (most are): a byte
 * array reads far quicker than a string that points into another (a section's Markdown is a slice
 * of its document's); else undefined.
 */
function asciiBytes(plain: string, markdown: string): Uint8Array | undefined {
  const total = plain.length + markdown.length;
  if (total >= MAX_BYTES) return undefined;
  if (bytesScratch.length < total) {
    bytesScratch = new Uint8Array(Math.max(total, bytesScratch.length * 2));
    bytesView = new DataView(bytesScratch.buffer);
  }
  const bytes = bytesScratch;
  const p = encoder.encodeInto(plain, bytes);
  if (p.read !== plain.length || p.written !== plain.length) return undefined;
  const md = encoder.encodeInto(markdown, bytes.subarray(plain.length));
  if (md.read !== markdown.length || md.written !== markdown.length) return undefined;
  return bytes;
}

/** encodeRuns' units, reused from one text to the next (at most a quarter of the longest). */
let scratch = new Uint16Array(1024);

/** The text encodeRuns' runs of `markdown` make. */
export function decodeRuns(runs: string, markdown: string): string {
  let out = '';
  let at = 0;
  for (let k = 0; k < runs.length; ) {
    let skip = runs.charCodeAt(k++);
    if (skip === ESCAPE) {
      skip = runs.charCodeAt(k) * 0x10000 + runs.charCodeAt(k + 1);
      k += 2;
    }
    let take = runs.charCodeAt(k++);
    if (take === ESCAPE) {
      take = runs.charCodeAt(k) * 0x10000 + runs.charCodeAt(k + 1);
      k += 2;
    }
    at += skip;
    out += markdown.slice(at, at + take);
    at += take;
  }
  return out;
}
