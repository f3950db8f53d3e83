/**
 * A line scanner for the plain Markdown most documentation is written in (ATX headings, paragraphs,
 * ``` fences, GFM tables, tight lists, one-paragraph `> ` blockquotes, `<!-- -->` comment lines,
 * `<a id>` anchor lines, simple link reference definitions; inline code, escapes, `**strong**`,
 * `*em*`/`_em_` around plain words, `[text](url)` and `[text][ref]`/`[text][]`/`[text]` links) that
 * gives what marked's lexer gives for it, in a fraction of the time, or undefined as soon as it meets
 * anything else (other HTML, tabs, setext headings, nested emphasis, entities, autolinks, lazy
 * lines, list items with inner blank lines, definitions with titles, ...): then the caller lexes
 * the whole document with marked. Each rule below is marked's (v18, gfm) for that case; what it
 * does not know it refuses. scripts/check-splitter.mjs compares both on whole corpora, and so do
 * test/integration/section-splitter-corpora.test.ts and the property test in test/unit.
 */

/** One top-level block: what MarkedSectionSplitter reads off the token marked would make. */
export interface SimpleBlock {
  /** Offset in the document where the block's raw text starts. */
  readonly start: number;
  /** Set on a heading: its depth and its plain text (trimmed). */
  readonly heading?: { readonly depth: number; readonly text: string };
  /** Plain text as tokenToPlain gives it ('\n' for a blank-line spacer). */
  readonly plain: string;
  readonly paragraph: boolean;
  /** Links in the block's prose: href, and the text and span they sit in. */
  readonly links: readonly LinkSpan[];
}

export interface LinkSpan {
  readonly href: string;
  /** The plain text of the inline run the link is in, and the link text's span in it. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Inline text and the links in it, or undefined when marked could read it differently. */
interface Inline {
  text: string;
  links: LinkSpan[];
}

const ATX = /^(#{1,6})(?: (.*))?$/;
const FENCE_OPEN = /^```[^`]*$/;
const FENCE_CLOSE = /^ {0,3}```+ *$/;
const BULLET = /^( {0,3})([*+-]|\d{1,9}[.)])(?:( +)(.*))?$/;
const TABLE_DELIMITER = /^ {0,3}((?:\| *)?:?-+:? *(?:\| *:?-+:? *)*(?:\| *)?)$/;
const HR = /^ {0,3}(?:[-*_] *){3,}$/;
const LIST_INTERRUPTS_TEXT = /^ {0,3}(?:[*+-]|1[.)])[ \t]+[^ \t\n]/;
/**
 * Lines that open (or may open) a block this scanner leaves to marked; a line may start with an
 * inline link (`[text](url)`), not with a `[` that could be a link reference definition.
 */
const FOREIGN_LINE = /^ {0,3}(?:[><=~]|\[[^\]]*(?:\]:|$)|(?:[-*_] *){3,}$|-+ *$|=+ *$)/;
/** What `**`/`*`/`_` may wrap: words and plain punctuation, starting with a word character. */
const EMPHASIS_CONTENT = /^[A-Za-z0-9`](?:[A-Za-z0-9 \n.,:;'"?!()/{}|=+%#$^`-]*[A-Za-z0-9.:!?)`])?$/;
const EMPHASIS_BEFORE = /[ \n(]/;
const EMPHASIS_AFTER = /[ \n.,:;?!)]/;
/**
 * Characters that may start inline syntax: what the scanner reads (code, strong, links) and what it
 * refuses outside code spans (escapes, HTML, entities, `_` emphasis, strike, emails, images).
 */
const SPECIAL = /[`*[\]!\\<&~@_]/g;
/** What a backslash escapes that the scanner reads as the character itself (or a hard break). */
const ESCAPABLE = /^[[\]_*{}()#+\-.!\n]$/;
/** A link label with code spans (that may hold brackets), then an explicit reference. */
const CODE_LABEL_REF = /^\[((?:[^[\]\\`<>&!@~\n]|`[^`\n]+`)+)\]\[([^[\]\\<>&!@~\n]+)\]/;
const AUTOLINK = /:\/\/|[wW]{3}\./;
/** The links of every block and run that has none: one list, only read (never added to). */
const NO_LINKS: LinkSpan[] = [];
const LINK = /^\[([^[\]\\<>&!@~\n]+)\]\(([^\s()<>\\`*[\]]+)\)/;
/** `[text][label]`, `[text][]` or `[text]`: a reference link when the label is defined. */
const REF_LINK = /^\[([^[\]\\<>&@~]+)\](?:\[([^[\]\\<>&!@~\n]*)\])?/;
/** A link reference definition marked reads the same way (no title, no angle brackets, no escapes). */
const DEF = /^\[([^[\]\\<>\n]*[^[\]\\<>\n ][^[\]\\<>\n]*)\]: *([^\s<>()\\]+)$/;
/** `<!--` ... `-->` at the start of a line: marked's HTML block, ending on the line of the `-->`. */
const COMMENT_OPEN = /^<!--(?!-?>)/;
/** Anchors for old links (`<a id="x"></a>`, `<i id='y'></i>`), alone on their line. */
const ANCHOR_LINE = /^(?:<(a|i) id=(?:"[\w-]+"|'[\w-]+')><\/\1>)+$/;
/** A blockquote line this scanner reads: `> ` and text. */
const QUOTE_LINE = /^> [^ >]/;
/*
 * The rules below are tested on every line of a paragraph or a list item: written here once, as a
 * regex literal in a loop is a new RegExp object each time it is reached.
 */
/** A line that could interrupt a paragraph (or start a table row, a fence, a list). */
const INTERRUPTS_PARAGRAPH = /^(?:[ #|]|```|\d{1,9}[.)]|[*+-](?: |$))/;
/** A line (its indentation off) that starts a new list item. */
const ITEM_START = /^(?:[*+-]|\d{1,9}[.)])(?: |$)/;
/** A line (its indentation off) that ends a list item: a fence, a heading, a blockquote. */
const ENDS_ITEM = /^(?:```|~~~|#{1,6}(?: |$)|>)/;
/** A line in an item that starts a block this scanner leaves to marked. */
const FOREIGN_IN_ITEM = /^(?:```|~~~|#|\|)/;
/** A link label with inline syntax in it (else it is its own plain text). */
const LABEL_SYNTAX = /[`*_]/;

/** The reference definitions of the document being scanned (label as marked folds it → href). */
let defs: Map<string, string> = new Map();
/** The definitions the scan met at the top level (all of defs, or the scan refuses). */
let defsSeen = 0;

/** A label as marked folds it (its `W`). */
const foldLabel = (label: string) =>
  label.trim().replace(/\s+/g, ' ').toLowerCase().toUpperCase().toLowerCase();

/** Thrown to give up on a document: one object, no stack trace to capture. */
const REFUSED = { refused: true } as const;
const refuse = (): never => {
  throw REFUSED;
};

/** The top-level blocks of `markdown`, or undefined when marked must read it. */
export function simpleMarkdownBlocks(markdown: string): SimpleBlock[] | undefined {
  if (markdown.includes('\r') || markdown.includes('\t')) return undefined;
  try {
    defs = collectDefs(markdown);
    defsSeen = 0;
    const blocks = scan(markdown);
    // A line that looked like a definition but sat in a fence or a comment: marked's business.
    if (defsSeen !== defs.size) return undefined;
    return blocks;
  } catch (e) {
    if (e === REFUSED) return undefined;
    throw e;
  } finally {
    defs = new Map();
  }
}

/** Every line that reads as a definition, wherever it is (scan checks it met them all). */
function collectDefs(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  if (!markdown.includes(']:')) return found;
  for (const line of markdown.split('\n')) {
    if (line.charCodeAt(0) !== 0x5b /* [ */) continue;
    const m = DEF.exec(line);
    if (!m) continue;
    const label = foldLabel(m[1] as string);
    // marked keeps the first and drops later ones from its tokens: the raws no longer tile.
    if (found.has(label)) refuse();
    found.set(label, m[2] as string);
  }
  return found;
}

function scan(markdown: string): SimpleBlock[] {
  const lines = markdown.split('\n');
  // The empty string after a final newline is no line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const starts: number[] = new Array(lines.length);
  for (let i = 0, at = 0; i < lines.length; i++) {
    starts[i] = at;
    at += (lines[i] as string).length + 1;
  }
  const blocks: SimpleBlock[] = [];
  const n = lines.length;
  let i = 0;
  while (i < n) {
    const line = lines[i] as string;
    const start = starts[i] as number;
    if (line === '') {
      // A run of blank lines is a spacer token ('\n' of plain text), unless it is the single
      // newline that ends the previous block's line (marked appends that one to the block).
      let j = i;
      while (j < n && lines[j] === '') j++;
      blocks.push({ start, plain: '\n', paragraph: false, links: NO_LINKS });
      i = j;
      continue;
    }
    if (line.charCodeAt(line.length - 1) === 0x20) refuse();
    const c0 = line.charCodeAt(0);
    if (c0 === 0x3c /* < */ && COMMENT_OPEN.test(line)) {
      // marked's HTML block: to the end of the line with `-->` (blank lines after it are a spacer).
      let j = i;
      let close = line.indexOf('-->', 4);
      while (close < 0 && ++j < n) close = (lines[j] as string).indexOf('-->');
      if (close < 0 || (lines[j] as string).length !== close + 3) refuse();
      j++;
      blocks.push({ start, plain: '', paragraph: false, links: NO_LINKS });
      i = j;
      continue;
    }
    if (c0 === 0x3c /* < */ && ANCHOR_LINE.test(line) && !lines[i + 1]) {
      // `<a id="x"></a>` alone: a paragraph of inline HTML, which has no plain text.
      blocks.push({ start, plain: '\n', paragraph: true, links: NO_LINKS });
      i++;
      continue;
    }
    if (c0 === 0x3e /* > */ && QUOTE_LINE.test(line)) {
      // A blockquote of one paragraph, ending before a blank line (else lazy lines: marked's).
      let j = i + 1;
      while (j < n && lines[j] !== '') {
        if (!QUOTE_LINE.test(lines[j] as string)) refuse();
        j++;
      }
      const inner = scan(
        lines
          .slice(i, j)
          .map((l) => l.slice(2))
          .join('\n'),
      );
      const p = inner[0];
      if (inner.length !== 1 || !p?.paragraph) refuse();
      blocks.push({
        start,
        plain: (p as SimpleBlock).plain,
        paragraph: false,
        links: (p as SimpleBlock).links,
      });
      i = j;
      continue;
    }
    if (c0 === 0x5b /* [ */ && DEF.test(line)) {
      // A definition (collected before the scan); the next line could carry its title.
      const next = lines[i + 1];
      if (next !== undefined && /^\s*["'(]/.test(next)) refuse();
      defsSeen++;
      blocks.push({ start, plain: '', paragraph: false, links: NO_LINKS });
      i++;
      continue;
    }
    if (FOREIGN_LINE.test(line)) refuse();
    const atx = ATX.exec(line);
    if (atx) {
      const text = (atx[2] ?? '').trim();
      if (!text || text.endsWith('#')) refuse();
      const plain = inline(text).text.trim();
      blocks.push({
        start,
        heading: { depth: (atx[1] as string).length, text: plain },
        plain: '',
        paragraph: false,
        links: NO_LINKS,
      });
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      if (!FENCE_OPEN.test(line)) refuse();
      let j = i + 1;
      while (j < n && !FENCE_CLOSE.test(lines[j] as string)) j++;
      if (j >= n) refuse();
      let text = '';
      if (j > i + 1) {
        // Lines i + 1 to j - 1 as they stand in the text (no array of them joined again).
        text = markdown.slice(
          starts[i + 1] as number,
          (starts[j - 1] as number) + (lines[j - 1] as string).length,
        );
        if (text === '' || text.endsWith('\n')) text += '\n';
      }
      blocks.push({ start, plain: `${text}\n`, paragraph: false, links: NO_LINKS });
      i = j + 1;
      continue;
    }
    // A list may start indented (up to 3 spaces: `  - b` after `1. a` is a new list, not a child).
    if (BULLET.test(line)) {
      const list = parseList(lines, i, n);
      blocks.push({ start, plain: list.plain, paragraph: false, links: list.links });
      i = list.end;
      continue;
    }
    if (line.startsWith('#') || line.startsWith(' ')) refuse();
    if (i + 1 < n && TABLE_DELIMITER.test(lines[i + 1] as string)) {
      const table = parseTable(lines, i, n);
      blocks.push({ start, plain: table.plain, paragraph: false, links: table.links });
      i = table.end;
      continue;
    }
    // A paragraph: lines up to a blank line. A line that could interrupt it is left to marked.
    let j = i + 1;
    while (j < n && lines[j] !== '') {
      const next = lines[j] as string;
      if (
        next.trim() === '' ||
        next !== next.trimEnd() ||
        FOREIGN_LINE.test(next) ||
        INTERRUPTS_PARAGRAPH.test(next) ||
        (j + 1 < n && TABLE_DELIMITER.test(lines[j + 1] as string))
      )
        refuse();
      j++;
    }
    // Lines i to j - 1 as they stand in the text (no array of them joined again).
    const text =
      j === i + 1 ? line : markdown.slice(start, (starts[j - 1] as number) + (lines[j - 1] as string).length);
    const run = inline(text);
    blocks.push({ start, plain: `${run.text}\n`, paragraph: true, links: run.links });
    i = j;
  }
  return blocks;
}

/** A GFM table whose rows all start with `|` (marked's table rule, splitCells). */
function parseTable(lines: readonly string[], i: number, n: number) {
  const header = lines[i] as string;
  const delimiter = lines[i + 1] as string;
  if (!header.startsWith('|') || !/[:|]/.test(delimiter)) refuse();
  const columns = splitCells(header);
  if (columns.length !== delimiter.replace(/^\||\| *$/g, '').split('|').length) refuse();
  let j = i + 2;
  const rows: string[][] = [];
  while (j < n && lines[j] !== '') {
    const row = lines[j] as string;
    if (!row.startsWith('|') || row !== row.trimEnd()) refuse();
    rows.push(splitCells(row, columns.length));
    j++;
  }
  const links: LinkSpan[] = [];
  const row = (cells: string[]) =>
    cells
      .map((c) => {
        const run = inline(c);
        links.push(...run.links);
        return run.text;
      })
      .join(' | ');
  const plain = `${[row(columns), ...rows.map(row)].join('\n')}\n`;
  return { plain, links, end: j };
}

function splitCells(row: string, count?: number): string[] {
  // marked puts a space before each unescaped `|` and splits at ' |': without escapes (the
  // cells' inline text refuses `\`), the same as splitting at `|`.
  const cells = row.split('|');
  if (!(cells[0] as string).trim()) cells.shift();
  if (cells.length > 0 && !(cells[cells.length - 1] as string).trim()) cells.pop();
  if (count) {
    if (cells.length > count) cells.splice(count);
    else while (cells.length < count) cells.push('');
  }
  return cells.map((c) => c.trim());
}

interface ListResult {
  /** The first line after the list's last non-blank line. */
  end: number;
  plain: string;
  links: LinkSpan[];
}

/**
 * A list (marked's list tokenizer): items, each lexed as blocks that are `text` (lines, joined) or
 * nested lists; loose when an item ends with a blank line and another follows.
 */
function parseList(lines: readonly string[], i: number, n: number): ListResult {
  const first = BULLET.exec(lines[i] as string) as RegExpExecArray;
  const bullet = first[2] as string;
  const ordered = bullet.length > 1;
  const sameList = sameListRule(ordered ? bullet.charAt(bullet.length - 1) : bullet, ordered);
  const items: string[][] = [];
  /** Blank lines each item ended with (marked trims them off the last item). */
  const trailing: number[] = [];
  let loose = false;
  let endsWithBlankLine = false;
  let end = i;
  while (i < n) {
    const m = sameList.exec(lines[i] as string);
    if (!m) break;
    if (HR.test(lines[i] as string)) refuse();
    const spaces = m[2];
    const rest = m[3];
    if (spaces === undefined || !rest || spaces.length > 4 || rest.trim() === '') refuse();
    const indent = (m[1] as string).length + (spaces as string).length;
    const breakAt = Math.min(3, indent - 1);
    const contents = [rest as string];
    let blank = false;
    i++;
    while (i < n) {
      const next = lines[i] as string;
      if (next === '') {
        contents.push('');
        blank = true;
        i++;
        continue;
      }
      const leading = next.length - next.trimStart().length;
      if (leading <= breakAt) {
        const t = next.slice(leading);
        if (ITEM_START.test(t)) break;
        if (ENDS_ITEM.test(t)) break;
        // An HTML start ends the item after a blank line, and `<!--` (an HTML block start) always.
        if (t.startsWith('<')) {
          if (blank || t.startsWith('<!--')) break;
          refuse();
        }
        if (HR.test(t)) refuse();
      }
      if (leading >= indent) {
        contents.push(next.slice(indent));
        blank = false;
        i++;
        continue;
      }
      if (blank) break;
      refuse(); // a lazy continuation line
    }
    // Blank lines inside an item make paragraphs and a spacer, and the list loose; with a nested
    // list in the item, the blank lines may be that list's: marked's business.
    let last = contents.length;
    while (last > 0 && contents[last - 1] === '') last--;
    const blankAt = contents.indexOf('');
    if (blankAt >= 0 && blankAt < last) {
      if (contents.some((l) => BULLET.test(l))) refuse();
      loose = true;
    }
    trailing.push(contents.length - last);
    if (!loose) {
      if (endsWithBlankLine) loose = true;
      else if (contents.length > last) endsWithBlankLine = true;
    }
    end = i - (contents.length - last);
    contents.length = last; // the item's lines, its trailing blank ones off (no copy)
    items.push(contents);
  }
  // Two blank lines between items make a spacer token inside the first: marked's business.
  if (trailing.slice(0, -1).some((t) => t > 1)) refuse();
  const links: LinkSpan[] = [];
  const plains = items.map((item) => itemPlain(item, loose, links));
  return { end, plain: `${plains.join('\n')}\n`, links };
}

/** The rule for an item of a list with `marker` (`-`, `*`, `+`; `.` or `)` when ordered). */
const sameListRules = new Map<string, RegExp>();
function sameListRule(marker: string, ordered: boolean): RegExp {
  let rule = sameListRules.get(marker);
  if (!rule) {
    rule = ordered
      ? new RegExp(`^( {0,3}\\d{1,9}\\${marker})(?:( +)(.*))?$`)
      : new RegExp(`^( {0,3}\\${marker})(?:( +)(.*))?$`);
    sameListRules.set(marker, rule);
  }
  return rule;
}

/** An item's blocks, lexed as marked does inside a list (not top level): text lines and lists. */
function itemPlain(lines: readonly string[], loose: boolean, links: LinkSpan[]): string {
  let out = '';
  let text: string[] | undefined;
  const flush = () => {
    if (!text) return;
    const run = inline(text.join('\n'));
    links.push(...run.links);
    out += loose ? `${run.text}\n` : run.text;
    text = undefined;
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line === '') {
      // Blank lines between an item's paragraphs (parseList made the list loose): a spacer.
      flush();
      out += '\n';
      while (lines[i] === '') i++;
      continue;
    }
    const isBullet = BULLET.test(line) && (!text || LIST_INTERRUPTS_TEXT.test(line));
    if (isBullet) {
      flush();
      const list = parseList(lines, i, lines.length);
      out += list.plain;
      links.push(...list.links);
      if (list.end === i) refuse();
      i = list.end;
      continue;
    }
    if (
      line.startsWith(' ') ||
      line.trim() === '' ||
      line !== line.trimEnd() ||
      FOREIGN_LINE.test(line) ||
      FOREIGN_IN_ITEM.test(line) ||
      (i + 1 < lines.length && TABLE_DELIMITER.test(lines[i + 1] as string))
    )
      refuse();
    if (text) text.push(line);
    else text = [line];
    i++;
  }
  flush();
  return out;
}

/**
 * Plain text of inline Markdown as marked's inline tokens give it (text, code spans, `**strong**`,
 * `[text](url)`), with the links' spans; refuses everything else.
 */
function inline(src: string): Inline {
  // Autolinks: `://` and `www.` may only appear inside code spans or as an inline link's target.
  if (AUTOLINK.test(src) && AUTOLINK.test(src.replace(/`[^`\n]+`|\]\([^\s()<>\\`*[\]]+\)/g, ''))) refuse();
  if (src.includes(' \n')) refuse(); // a hard line break, or a space marked may keep
  SPECIAL.lastIndex = 0;
  if (!SPECIAL.test(src)) return { text: src, links: NO_LINKS };
  let text = '';
  const spans: { href: string; start: number; end: number }[] = [];
  let i = 0;
  let plainFrom = 0;
  while (i < src.length) {
    // Jump to the next character that may start inline syntax.
    SPECIAL.lastIndex = i;
    if (!SPECIAL.test(src)) break;
    i = SPECIAL.lastIndex - 1;
    const c = src.charCodeAt(i);
    if (c === 0x60 /* ` */) {
      const close = src.indexOf('`', i + 1);
      if (close < 0 || close === i + 1 || src[close + 1] === '`') refuse();
      // marked's code span: line ends become spaces, one space comes off each end when both have one.
      let code = src.slice(i + 1, close);
      if (code.includes('\n')) code = code.replace(/\n/g, ' ');
      if (code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
      text += src.slice(plainFrom, i) + code;
      i = plainFrom = close + 1;
    } else if (c === 0x2a /* * */ || c === 0x5f /* _ */) {
      // `**strong**`, `*em*` or `_em_` around plain words, between spaces or punctuation.
      const mark = src[i + 1] === '*' && c === 0x2a ? '**' : (src[i] as string);
      const close = src.indexOf(mark, i + mark.length);
      if (close < 0) refuse();
      const content = src.slice(i + mark.length, close);
      const before = i === 0 ? ' ' : (src[i - 1] as string);
      const after = src[close + mark.length] ?? ' ';
      if (!EMPHASIS_CONTENT.test(content) || !EMPHASIS_BEFORE.test(before) || !EMPHASIS_AFTER.test(after))
        refuse();
      // Code spans inside: their text (a `*` in one that ended the content early is refused there).
      const shown = content.includes('`') ? inline(content) : undefined;
      if (shown?.links.length) refuse();
      text += src.slice(plainFrom, i) + (shown ? shown.text : content);
      i = plainFrom = close + mark.length;
    } else if (c === 0x5b /* [ */) {
      const head = src.slice(i, i + 2048);
      let raw: string;
      let label: string;
      let href: string | undefined;
      const m = LINK.exec(head);
      const codeLabel = m ? undefined : CODE_LABEL_REF.exec(head);
      if (m) [raw, label, href] = m as unknown as [string, string, string];
      else if (codeLabel) {
        // `[`a[0]`][ref]`: brackets inside the label's code span; an explicit, defined label.
        [raw, label] = codeLabel as unknown as [string, string];
        href = defs.get(foldLabel(codeLabel[2] as string));
        if (href === undefined || head[raw.length] === '(' || head[raw.length] === '[') refuse();
      } else {
        const r = REF_LINK.exec(head);
        if (!r) refuse();
        [raw, label] = r as unknown as [string, string];
        href = defs.get(foldLabel((r as RegExpExecArray)[2] || label));
        // Undefined, or `[a] (b)`-like text after it: marked's business.
        if (href === undefined || head[raw.length] === '(' || head[raw.length] === '[') refuse();
      }
      const shown = LABEL_SYNTAX.test(label) ? inline(label) : undefined;
      if (shown?.links.length) refuse();
      text += src.slice(plainFrom, i);
      const start = text.length;
      text += shown ? shown.text : label;
      spans.push({ href: href as string, start, end: text.length });
      i = plainFrom = i + raw.length;
    } else if (c === 0x21 /* ! */) {
      if (src[i + 1] === '[') refuse(); // an image
      i++;
    } else if (c === 0x5d /* ] */) {
      i++; // text: every `[` before it was read as a link (or refused), or escaped
    } else if (c === 0x5c /* \ */ && ESCAPABLE.test(src[i + 1] ?? '')) {
      // An escape (the character itself) or, before a line end, a hard break ('\n' either way).
      text += src.slice(plainFrom, i);
      i = plainFrom = i + 1;
      i++;
    } else refuse(); // HTML, an entity, strike, an email, another escape
  }
  text += src.slice(plainFrom);
  // Written out, not `{ ...s, text }` (a spread is slower to build); most runs have no links.
  const links =
    spans.length === 0 ? NO_LINKS : spans.map((s) => ({ href: s.href, text, start: s.start, end: s.end }));
  return { text, links };
}
