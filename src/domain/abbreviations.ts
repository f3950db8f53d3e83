import { identifierParts, normalizeTerm, tokenize } from './text-analysis.js';

/**
 * Abbreviations learned from the corpus itself. API headings are full of shortened words
 * (`path.extname`, `process.env`, `os.tmpdir`, `buf.readUInt32BE`, `process.cwd`) that a question
 * spells out ("extension", "environment", "temporary directory", "big-endian", "current working
 * directory"). The section under such a heading usually spells the word out too, so:
 *
 * - every piece of a heading identifier that is not itself a common word of the corpus is an
 *   abbreviation candidate (`ext`, `env`, `tmp`, `dir`, `be`, `cwd`); lowercase compounds are
 *   split first into a known word plus a remainder (`extname` → `ext` + `name`);
 * - its candidate expansions are the words of that section's body it abbreviates: a word it is a
 *   prefix of (`env` → environment), a word whose letters it picks in order starting with the first
 *   (`tmp` → temporary), or a run of consecutive words it is the initials of (`cwd` → current
 *   working directory, `be` → big endian);
 * - an expansion is kept when it shows up for enough of the sections whose heading uses the
 *   abbreviation, so one accidental co-occurrence does not make a synonym.
 *
 * The result maps an abbreviation (lower case) to the words it stands for.
 */
export type AbbreviationMap = ReadonlyMap<string, readonly string[]>;

export interface LearnOptions {
  /** Minimum share of the sections using an abbreviation whose text contains the expansion. */
  readonly minShare?: number;
  /** Minimum number of such sections. */
  readonly minCount?: number;
}

interface SectionText {
  readonly heading: string;
  /** Markdown of the section: its prose (code removed) is where expansions are looked for. */
  readonly markdown: string;
}

/** Running text of Markdown: no code blocks or spans, no link targets, no HTML, no heading lines. */
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

const ALPHA = /^[a-z]+$/;
const MAX_ABBREV = 5;
const MAX_BODY_WORDS = 400;

export function learnAbbreviations(
  sections: readonly SectionText[],
  opts: LearnOptions = {},
): AbbreviationMap {
  const minShare = opts.minShare ?? 0.5;
  const minCount = opts.minCount ?? 1;

  // Document frequency of lowercase words in running text: "is this piece a word of its own?"
  const df = new Map<string, number>();
  const bodies: string[][] = [];
  for (const s of sections) {
    const words = tokenize(proseOf(s.markdown).toLowerCase()).filter((w) => ALPHA.test(w));
    bodies.push(words);
    for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const isWord = (w: string) => w.length >= 3 && (df.get(w) ?? 0) >= 3;

  const uses = new Map<string, number>();
  const votes = new Map<string, Map<string, number>>();
  sections.forEach((s, i) => {
    const pieces = new Set<string>();
    for (const token of tokenize(s.heading))
      for (const part of identifierParts(token))
        for (const p of splitCompound(part.toLowerCase(), isWord)) pieces.add(p);
    const candidates = [...pieces].filter((p) => p.length >= 2 && p.length <= MAX_ABBREV && ALPHA.test(p));
    if (!candidates.length) return;
    const words = (bodies[i] ?? []).slice(0, MAX_BODY_WORDS);
    for (const a of candidates) {
      if (isWord(a)) continue;
      uses.set(a, (uses.get(a) ?? 0) + 1);
      const found = expansionsIn(a, words, isWord);
      if (!found.size) continue;
      let v = votes.get(a);
      if (!v) votes.set(a, (v = new Map()));
      for (const e of found) v.set(e, (v.get(e) ?? 0) + 1);
    }
  });

  const out = new Map<string, string[]>();
  if (process.env.ABBR_DEBUG)
    for (const a of process.env.ABBR_DEBUG.split(','))
      console.log(a, uses.get(a), [...(votes.get(a) ?? [])].sort((x, y) => y[1] - x[1]).slice(0, 6));
  for (const [a, v] of votes) {
    const n = uses.get(a) ?? 0;
    let best: [string, number] | undefined;
    for (const [e, c] of v)
      if (!best || c > best[1] || (c === best[1] && e.length < best[0].length)) best = [e, c];
    if (!best || best[1] < minCount || best[1] / n < minShare) continue;
    out.set(a, best[0].split(' '));
  }
  return out;
}

/** `extname` → [ext, name]; `tmpdir` → [tmp, dir]; a part that is a word stays whole. */
export function splitCompound(part: string, isWord: (w: string) => boolean): string[] {
  if (part.length <= MAX_ABBREV || isWord(part) || !ALPHA.test(part)) return [part];
  // A known word at the end or the start, the rest an abbreviation of at most MAX_ABBREV letters.
  for (let k = Math.max(3, part.length - MAX_ABBREV); k <= part.length - 2; k++) {
    const head = part.slice(0, part.length - k);
    const tail = part.slice(part.length - k);
    if (isWord(tail)) return [head, tail];
  }
  for (let k = part.length - 2; k >= 3; k--) {
    const head = part.slice(0, k);
    const tail = part.slice(k);
    if (isWord(head) && tail.length <= MAX_ABBREV) return [head, tail];
  }
  return [part];
}

/** Words (or runs of words) of a text that `a` abbreviates. */
function expansionsIn(a: string, words: readonly string[], isWord: (w: string) => boolean): Set<string> {
  const out = new Set<string>();
  const stemA = normalizeTerm(a);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w.length > a.length + 1 && w[0] === a[0] && isSubsequence(a, w) && normalizeTerm(w) !== stemA)
      out.add(w);
    // Initials of consecutive words: cwd → current working directory.
    if (a.length >= 2 && i + a.length <= words.length) {
      let ok = true;
      for (let k = 0; k < a.length && ok; k++) {
        const wk = words[i + k] as string;
        ok = wk.length >= 2 && wk[0] === a[k];
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
