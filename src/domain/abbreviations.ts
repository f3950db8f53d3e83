import { identifierParts, isStopWord, normalizeTerm, tokenize } from './text-analysis.js';

/**
 * Abbreviations learned from the corpus itself. API headings are full of shortened words
 * (`process.env`, `os.tmpdir`, `fs.cp`, `buf.readUInt32BE`, `process.cwd`) that a question spells
 * out ("environment", "temporary directory", "copy", "big-endian", "current working directory").
 * The section under such a heading usually spells the word out in its prose, so:
 *
 * - every piece of a heading identifier that is not a word of the corpus's prose is an abbreviation
 *   candidate (`env`, `tmp`, `dir`, `cp`, `cwd`), and so is a short all-capitals piece (`BE`);
 *   lowercase compounds are split first into a known word plus a remainder (`tmpdir` → tmp + dir);
 * - its candidate expansions are the prose words of that section it abbreviates: a word it picks
 *   letters from in order, starting with the first (`env` → environment, `tmp` → temporary), or a
 *   run of consecutive words it is the initials of (`cwd` → current working directory);
 * - an expansion is kept when it appears under most of the headings using the abbreviation (share)
 *   and is specific to them (inverse document frequency), so `be` means "big endian" rather than
 *   "bytes", and one accidental co-occurrence does not make a synonym.
 *
 * The result maps an abbreviation (lower case) to the words it stands for.
 */
export type AbbreviationMap = ReadonlyMap<string, readonly string[]>;

/** What was learned, and how to apply it to a heading. */
export interface Abbreviations {
  readonly map: AbbreviationMap;
  /** The words the abbreviations in a heading stand for (empty when it has none). */
  expand(heading: string): string[];
}

export interface LearnOptions {
  /** Minimum share of the sections using an abbreviation whose prose contains the expansion. */
  readonly minShare?: number;
  /** Minimum number of such sections. */
  readonly minCount?: number;
  /** How many of the best expansions of one abbreviation to keep. */
  readonly maxExpansions?: number;
}

export interface SectionText {
  readonly heading: string;
  /** Markdown of the section: its prose (code removed) is where expansions are looked for. */
  readonly markdown: string;
}

const ALPHA = /^[a-z]+$/;
const MIN_ABBREV = 2;
const MAX_ABBREV = 5;
/** Only the start of a section is read: the definition of a name comes first. */
const MAX_PROSE_WORDS = 300;
/** Sections a prose word appears in before it counts as a word rather than an abbreviation. */
const WORD_DF = 10;

/** Running text of Markdown: no code blocks or spans, no link targets, comments, HTML or headings. */
export function proseOf(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/^ {0,3}\[[^\]\n]+\]:.*$/gm, ' ')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ')
    .replace(/`+[^`\n]*`+/g, ' ')
    .replace(/^#{1,6} .*$/gm, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<[^>\n]*>/g, ' ');
}

interface Piece {
  readonly text: string;
  /** Written in capitals in the heading (`BE` of `readUInt32BE`): an acronym even if a word. */
  readonly upper: boolean;
}

function headingPieces(heading: string): Piece[] {
  const out: Piece[] = [];
  for (const token of tokenize(heading))
    for (const part of identifierParts(token))
      out.push({ text: part.toLowerCase(), upper: part.length > 1 && part === part.toUpperCase() });
  return out;
}

export function learnAbbreviations(sections: readonly SectionText[], opts: LearnOptions = {}): Abbreviations {
  const minShare = opts.minShare ?? 0.5;
  const minCount = opts.minCount ?? 2;
  const maxExpansions = opts.maxExpansions ?? 2;

  const df = new Map<string, number>();
  const prose: string[][] = [];
  const pieceCount = new Map<string, number>();
  const pieces: Piece[][] = [];
  for (const s of sections) {
    const words = tokenize(proseOf(s.markdown).toLowerCase()).filter((w) => ALPHA.test(w));
    prose.push(words.slice(0, MAX_PROSE_WORDS));
    for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
    const ps = headingPieces(s.heading);
    pieces.push(ps);
    for (const p of new Set(ps.map((x) => x.text))) pieceCount.set(p, (pieceCount.get(p) ?? 0) + 1);
  }
  const n = sections.length;
  // A word of the prose, used there at least as often as in headings' identifiers. Asked twice:
  // once with whole identifier parts, then with compounds split (`dir` of `readdir`, `mkdir`).
  const wordTest = (counts: ReadonlyMap<string, number>) => (w: string) =>
    w.length >= 3 && (df.get(w) ?? 0) >= WORD_DF && (df.get(w) ?? 0) >= 2 * (counts.get(w) ?? 0);
  const firstIsWord = wordTest(pieceCount);
  const splitCount = new Map<string, number>();
  for (const ps of pieces) {
    const seen = new Set<string>();
    for (const p of ps)
      for (const q of splitCompound(p.text, firstIsWord, (w) => (pieceCount.get(w) ?? 0) >= 3)) seen.add(q);
    for (const q of seen) splitCount.set(q, (splitCount.get(q) ?? 0) + 1);
  }
  const isWord = wordTest(splitCount);
  // Looser for expansions: any prose word seen in a few sections.
  const isProseWord = (w: string) => w.length >= 3 && (df.get(w) ?? 0) >= 2;
  const idf = (w: string) => Math.log(n / (1 + (df.get(w) ?? 0)));

  const uses = new Map<string, number>();
  const votes = new Map<string, Map<string, number>>();
  const isPiece = (w: string) => (splitCount.get(w) ?? 0) >= 3;
  const candidatesOf = (ps: readonly Piece[]) => {
    const candidates = new Set<string>();
    for (const p of ps) {
      for (const q of splitCompound(p.text, isWord, isPiece)) {
        if (q.length < MIN_ABBREV || q.length > MAX_ABBREV || !ALPHA.test(q)) continue;
        if ((p.upper && q === p.text) || (!isWord(q) && !isStopWord(q))) candidates.add(q);
      }
    }
    return candidates;
  };
  sections.forEach((_, i) => {
    const candidates = candidatesOf(pieces[i] ?? []);
    if (!candidates.size) return;
    const words = prose[i] ?? [];
    for (const a of candidates) {
      uses.set(a, (uses.get(a) ?? 0) + 1);
      let v = votes.get(a);
      for (const e of expansionsIn(a, words, isProseWord)) {
        if (!v) votes.set(a, (v = new Map()));
        v.set(e, (v.get(e) ?? 0) + 1);
      }
    }
  });

  const map = new Map<string, string[]>();
  for (const [a, v] of votes) {
    const used = uses.get(a) ?? 1;
    const ranked: { words: string[]; score: number }[] = [];
    for (const [e, c] of v) {
      if (c < minCount || c / used < minShare) continue;
      const words = e.split(' ');
      ranked.push({ words, score: (c / used) * words.reduce((sum, w) => sum + idf(w), 0) });
    }
    ranked.sort((x, y) => y.score - x.score);
    const words = new Set(ranked.slice(0, maxExpansions).flatMap((r) => r.words));
    if (words.size) map.set(a, [...words]);
  }
  return {
    map,
    expand(heading: string): string[] {
      const out = new Set<string>();
      for (const a of candidatesOf(headingPieces(heading))) for (const w of map.get(a) ?? []) out.add(w);
      return [...out];
    },
  };
}

/**
 * `tmpdir` → [tmp, dir], `extname` → [ext, name]: a compound identifier part split into a known
 * piece (a prose word or a frequent identifier piece) and a short remainder. Words stay whole.
 */
export function splitCompound(
  part: string,
  isWord: (w: string) => boolean,
  isPiece: (w: string) => boolean = () => false,
): string[] {
  if (part.length < 4 || isWord(part) || !ALPHA.test(part)) return [part];
  const known = (w: string) => w.length >= 3 && (isWord(w) || isPiece(w));
  let best: string[] | undefined;
  let bestScore = 0;
  for (let k = MIN_ABBREV; k <= part.length - MIN_ABBREV; k++) {
    const head = part.slice(0, k);
    const tail = part.slice(k);
    const score =
      (known(head) ? head.length : head.length <= MAX_ABBREV ? 0 : -99) +
      (known(tail) ? tail.length : tail.length <= MAX_ABBREV ? 0 : -99);
    if (score > bestScore) {
      best = [head, tail];
      bestScore = score;
    }
  }
  return best ?? [part];
}

/** Prose words (or runs of words) that `a` abbreviates. */
function expansionsIn(a: string, words: readonly string[], isWord: (w: string) => boolean): Set<string> {
  const out = new Set<string>();
  const stemA = normalizeTerm(a);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (
      w.length > a.length + 1 &&
      w[0] === a[0] &&
      isWord(w) &&
      !isStopWord(w) &&
      isSubsequence(a, w) &&
      normalizeTerm(w) !== stemA
    )
      out.add(w);
    // Initials of consecutive words: cwd → current working directory.
    if (i + a.length <= words.length) {
      let ok = true;
      for (let k = 0; k < a.length && ok; k++) {
        const wk = words[i + k] as string;
        ok = wk.length >= 2 && wk[0] === a[k] && !isStopWord(wk);
      }
      if (ok) out.add(words.slice(i, i + a.length).join(' '));
    }
  }
  return out;
}

function isSubsequence(a: string, w: string): boolean {
  let j = 0;
  for (let i = 0; i < w.length && j < a.length; i++) if (w[i] === a[j]) j++;
  return j === a.length;
}
