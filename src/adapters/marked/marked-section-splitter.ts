import { Lexer, type Token, type Tokens } from 'marked';
import type { Link, Section, SectionLink, SourceDocument, SplitDocument } from '../../domain/document.js';
import { slugify } from '../../domain/slug.js';
import type { SectionSplitter } from '../../ports/section-splitter.js';
import { simpleMarkdownBlocks } from './simple-markdown-blocks.js';

/**
 * Splits Markdown along its headings with marked's lexer, so that `#` lines inside fenced code are
 * not mistaken for headings, and reads plain text, leads and links off its tokens.
 */
export class MarkedSectionSplitter implements SectionSplitter {
  split(document: SourceDocument): SplitDocument {
    return splitWithLinks(document);
  }

  /** The split with marked's lexer alone, never the simple scanner (to compare the two). */
  splitWithMarked(document: SourceDocument): SplitDocument {
    return splitWithLinks(document, true);
  }
}

/** Plain text of inline or block tokens: what a reader sees, without Markdown syntax or HTML. */
function tokensToPlain(tokens: readonly Token[] | undefined): string {
  if (!tokens) return '';
  let out = '';
  for (const t of tokens) out += tokenToPlain(t);
  return out;
}

function tokenToPlain(t: Token): string {
  switch (t.type) {
    case 'html':
      return htmlToPlain(t.text);
    case 'space':
    case 'hr':
    case 'def':
      return t.type === 'space' ? '\n' : '';
    case 'br':
      return '\n';
    case 'code':
      return `${(t as Tokens.Code).text}\n`;
    case 'codespan':
      // Code is literal: `a &lt; b` shows "&lt;" (marked leaves code-span text unescaped).
      return (t as Tokens.Codespan).text;
    case 'escape':
    case 'text': {
      const tt = t as Tokens.Text;
      return tt.tokens ? tokensToPlain(tt.tokens) : decodeEntities(tt.text);
    }
    case 'list':
      return `${(t as Tokens.List).items.map((i) => tokensToPlain(i.tokens)).join('\n')}\n`;
    case 'table': {
      const tb = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => tokensToPlain(c.tokens)).join(' | ');
      return `${[row(tb.header), ...tb.rows.map(row)].join('\n')}\n`;
    }
    case 'heading':
    case 'paragraph':
      return `${tokensToPlain((t as Tokens.Paragraph).tokens)}\n`;
    default: {
      const withTokens = t as { tokens?: Token[]; text?: string };
      if (withTokens.tokens) return tokensToPlain(withTokens.tokens);
      return withTokens.text ?? '';
    }
  }
}

/**
 * The text of raw HTML (tables of constants and key bindings in API docs are HTML): tags become
 * spaces, block ends become line breaks, comments (YAML history in Node.js docs) go.
 */
function htmlToPlain(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/<\/(tr|p|div|li|h\d|table)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n');
  const plain = decodeEntities(text).trim();
  return plain ? `${plain}\n` : '';
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

function baseName(path: string): string {
  const last = path.split('/').filter(Boolean).pop() ?? path;
  return last.replace(/\.(md|mdx|markdown)$/i, '') || path;
}

/** How far a link's context reaches on each side when no sentence end comes first. */
const CONTEXT_CHARS = 160;

/** Links in the prose of a block token (paragraphs, list items, quotes, table cells). */
function collectLinks(t: Token, out: Link[]): void {
  switch (t.type) {
    case 'paragraph':
    case 'text': {
      const tokens = (t as Tokens.Paragraph).tokens;
      if (tokens) inlineLinks(tokens, out);
      return;
    }
    case 'list':
      for (const item of (t as Tokens.List).items) for (const c of item.tokens) collectLinks(c, out);
      return;
    case 'blockquote':
      for (const c of (t as Tokens.Blockquote).tokens) collectLinks(c, out);
      return;
    case 'table': {
      const tb = t as Tokens.Table;
      for (const row of [tb.header, ...tb.rows]) for (const cell of row) inlineLinks(cell.tokens, out);
      return;
    }
  }
}

const SENTENCE_END = /[.!?;](?=\s)/g;

/** Collects the links of inline tokens into `out`; returns the tokens' plain text (tokensToPlain). */
function inlineLinks(tokens: readonly Token[], out: Link[]): string {
  let text = '';
  const spans: { href: string; start: number; end: number }[] = [];
  const walk = (ts: readonly Token[]) => {
    for (const t of ts) {
      if (t.type === 'link') {
        const start = text.length;
        walk((t as Tokens.Link).tokens);
        spans.push({ href: (t as Tokens.Link).href, start, end: text.length });
      } else if (t.type === 'strong' || t.type === 'em' || t.type === 'del') walk((t as Tokens.Em).tokens);
      else text += tokenToPlain(t);
    }
  };
  walk(tokens);
  for (const span of spans) linkInContext(text, span, out);
  return text;
}

/** A link with the sentence around it in `text` (the plain text of the run the link is in). */
function linkInContext(text: string, span: { href: string; start: number; end: number }, out: Link[]): void {
  const { href, start, end } = span;
  if (!href) return;
  const base = Math.max(0, start - CONTEXT_CHARS);
  let from = base;
  // matchAll starts where the regex's lastIndex is: left set by the exec below, it made a link's
  // context depend on the links split before it (in this document or an earlier one).
  SENTENCE_END.lastIndex = 0;
  for (const m of text.slice(base, start).matchAll(SENTENCE_END)) from = base + m.index + 1;
  let to = Math.min(text.length, end + CONTEXT_CHARS);
  SENTENCE_END.lastIndex = 0;
  const after = SENTENCE_END.exec(text.slice(end, to));
  if (after) to = end + after.index + 1;
  // A copy (replace makes one even when it changes nothing), not a slice: links are kept as long as
  // the index, and a slice would keep the whole run's plain text alive with them.
  const context = text.slice(from, to).replace(/\s+/g, ' ').trim();
  if (context) out.push({ href, context });
}

/** What the splitter reads off one top-level block, from marked's token or the simple scanner. */
interface Block {
  /** Where the block's raw text starts in the document (when the raws tile it). */
  readonly start: number;
  readonly raw?: string;
  readonly heading?: { readonly depth: number; readonly text: string };
  readonly plain: string;
  readonly paragraph: boolean;
  readonly links: readonly Link[];
}

/** The blocks marked's lexer finds; `tiled` when their raws are the document, end to end. */
function markedBlocks(markdown: string): { blocks: Block[]; tiled: boolean } {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const blocks: Block[] = [];
  let at = 0;
  let tiled = true;
  for (const token of tokens) {
    const start = at;
    if (tiled && !markdown.startsWith(token.raw, at)) tiled = false;
    at += token.raw.length;
    if (token.type === 'heading') {
      const h = token as Tokens.Heading;
      const heading = { depth: h.depth, text: tokensToPlain(h.tokens).trim() };
      blocks.push({ start, raw: token.raw, heading, plain: '', paragraph: false, links: [] });
      continue;
    }
    const links: Link[] = [];
    let text: string;
    if (!token.raw.includes('[')) text = tokenToPlain(token);
    else if (token.type === 'paragraph')
      // One walk for both: the paragraph's plain text and its links.
      text = `${inlineLinks((token as Tokens.Paragraph).tokens, links)}\n`;
    else {
      text = tokenToPlain(token);
      collectLinks(token, links);
    }
    blocks.push({ start, raw: token.raw, plain: text, paragraph: token.type === 'paragraph', links });
  }
  return { blocks, tiled: tiled && at === markdown.length };
}

/** The links of a block that has none (read, never added to). */
const NO_LINKS: Link[] = [];

/** The simple scanner's blocks, when it can read the whole document (see simpleMarkdownBlocks). */
function simpleBlocks(markdown: string): Block[] | undefined {
  const blocks = simpleMarkdownBlocks(markdown);
  if (!blocks) return undefined;
  // Written out, not `{ ...b, links }` (a spread is slower to build), and blocks without links
  // (most) share one empty list: Block.links is only read.
  return blocks.map((b) => {
    let links: Link[] = NO_LINKS;
    if (b.links.length > 0) {
      links = [];
      for (const l of b.links) linkInContext(l.text, l, links);
    }
    return { start: b.start, heading: b.heading, plain: b.plain, paragraph: b.paragraph, links };
  });
}

interface Draft {
  heading: string;
  level: number;
  headingPath: string[];
  /** Where the section starts in the document; its raws when the blocks do not tile it. */
  start: number;
  raw: string[];
  plain: string[];
  /** Length of the plain pieces so far: where the next one starts in their join. */
  plainChars: number;
  /** Where each paragraph's plain text is in the pieces' join (start, end, start, ...): see leadOf. */
  paragraphs: number[];
  links: Link[];
}

/**
 * Anchors unique within a document, as GitHub numbers repeated headings: `foo`, `foo-1`, `foo-2`.
 * A suffixed anchor counts as used too, so a later heading "Foo 1" cannot take `foo-1` again.
 */
class UniqueAnchors {
  private readonly used = new Set<string>();
  private readonly counts = new Map<string, number>();

  next(base: string): string {
    let n = this.counts.get(base) ?? 0;
    let anchor = n === 0 ? base : `${base}-${n}`;
    while (this.used.has(anchor)) anchor = `${base}-${++n}`;
    this.counts.set(base, n);
    this.used.add(anchor);
    return anchor;
  }
}

/**
 * `part` as a slice of `whole` when `whole` contains it (a lead is usually the first paragraphs of
 * the section's plain text, word for word): V8 keeps a slice as a pointer into its parent instead
 * of a copy, a fifth of the splitter's output at 10k documents.
 */
function sliceOf(whole: string, part: string): string {
  if (part.length < 16) return part;
  const at = whole.indexOf(part);
  return at < 0 ? part : whole.slice(at, at + part.length);
}

/** How much prose makes a section's lead (see Section.lead). */
const LEAD_CHARS = 400;

/**
 * The lead: the first paragraphs of prose (not lists, notes, tables or code), trimmed, until they
 * reach LEAD_CHARS. Read off `joined`, the section's plain pieces joined (flat by now), at the
 * paragraphs' places in it: a paragraph's own plain text is a string built of pieces, and trimming
 * it would copy it whole first.
 */
function leadOf(joined: string, paragraphs: readonly number[]): string {
  let lead: string | undefined;
  let parts: string[] | undefined;
  let chars = 0;
  for (let k = 0; k < paragraphs.length && chars < LEAD_CHARS; k += 2) {
    const paragraph = joined.slice(paragraphs[k], paragraphs[k + 1]).trim();
    if (!paragraph) continue;
    if (lead === undefined) lead = paragraph;
    else if (parts) parts.push(paragraph);
    else parts = [lead, paragraph];
    chars += paragraph.length;
  }
  return parts ? parts.join('\n\n') : (lead ?? '');
}

/**
 * A document's sections, plus the links in each section's prose (see DocIndex: anchor text). The
 * blocks come from the simple scanner when it can read the document, else from marked's lexer
 * (`useMarked`: always). A section's Markdown is a slice of the document, not a copy of it.
 */
function splitWithLinks(
  doc: SourceDocument,
  useMarked = false,
): { document: SplitDocument['document']; links: SectionLink[] } {
  const simple = useMarked ? undefined : simpleBlocks(doc.markdown);
  const { blocks, tiled } = simple ? { blocks: simple, tiled: true } : markedBlocks(doc.markdown);
  const drafts: Draft[] = [
    {
      heading: '',
      level: 0,
      headingPath: [],
      start: 0,
      raw: [],
      plain: [],
      plainChars: 0,
      paragraphs: [],
      links: [],
    },
  ];
  const stack: { level: number; text: string }[] = [];
  let firstHeading: string | undefined;

  for (const block of blocks) {
    const h = block.heading;
    if (h) {
      firstHeading ??= h.text;
      while (stack.length && (stack[stack.length - 1]?.level ?? 0) >= h.depth) stack.pop();
      stack.push({ level: h.depth, text: h.text });
      drafts.push({
        heading: h.text,
        level: h.depth,
        headingPath: stack.map((s) => s.text),
        start: block.start,
        raw: [],
        plain: [],
        plainChars: 0,
        paragraphs: [],
        links: [],
      });
    }
    const current = drafts[drafts.length - 1] as Draft;
    if (!tiled) current.raw.push(block.raw ?? '');
    if (h) continue;
    current.plain.push(block.plain);
    for (const l of block.links) current.links.push(l);
    if (block.paragraph) current.paragraphs.push(current.plainChars, current.plainChars + block.plain.length);
    current.plainChars += block.plain.length;
  }

  const title = doc.title?.trim() || firstHeading || baseName(doc.path);
  const docUrl = doc.url ?? `docs://${doc.id}`;
  const anchors = new UniqueAnchors();
  const sections: Section[] = [];
  const links: SectionLink[] = [];
  for (let k = 0; k < drafts.length; k++) {
    const d = drafts[k] as Draft;
    const markdown = tiled
      ? doc.markdown.slice(d.start, drafts[k + 1]?.start ?? doc.markdown.length).trim()
      : d.raw.join('').trim();
    if (d.level === 0 && !markdown) continue;
    const anchor = anchors.next(d.level === 0 ? '' : slugify(d.heading) || 'section');
    const id = `${doc.id}#${anchor}`;
    const joined = d.plain.length === 1 ? (d.plain[0] as string) : d.plain.join('');
    // Most sections have no run of blank lines to fold: no copy of them then.
    const plain = (joined.includes('\n\n\n') ? joined.replace(/\n{3,}/g, '\n\n') : joined).trim();
    sections.push({
      id,
      docId: doc.id,
      docTitle: title,
      heading: d.heading,
      headingPath: d.headingPath,
      level: d.level,
      anchor,
      markdown,
      plain,
      lead: sliceOf(plain, leadOf(joined, d.paragraphs)),
      url: anchor ? `${docUrl}#${anchor}` : docUrl,
      order: sections.length,
    });
    // Written out, not `{ ...l, from: id }`: a spread and one more property gave every link a
    // hidden class of its own (~200 bytes each, ~18k links at 10k documents).
    for (const l of d.links) links.push({ href: l.href, context: l.context, from: id });
  }
  // Copies: an array grown by push holds 17 places or more, and these are kept as long as the
  // index (~9 MB at 50k documents).
  return {
    document: {
      id: doc.id,
      title,
      path: doc.path,
      url: docUrl,
      markdown: doc.markdown,
      sections: sections.slice(),
    },
    links: links.slice(),
  };
}
