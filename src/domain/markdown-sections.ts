import { Lexer, type Token, type Tokens } from 'marked';
import type { IndexedDocument, Section, SourceDocument } from './document.js';

/** GitHub-style heading slug, so anchors match what rendered docs use. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Plain text of inline or block tokens: what a reader sees, without Markdown syntax or HTML. */
export function tokensToPlain(tokens: readonly Token[] | undefined): string {
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
      return decodeEntities((t as Tokens.Codespan).text);
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
  return decodeEntities(text).trim() ? `${decodeEntities(text).trim()}\n` : '';
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

interface Draft {
  heading: string;
  level: number;
  headingPath: string[];
  raw: string[];
  plain: string[];
  lead: string[];
  leadChars: number;
}

/** How much prose makes a section's lead (see Section.lead). */
export const LEAD_CHARS = 400;

/**
 * Split a document into sections along its headings (any level), using a real Markdown lexer so
 * that `#` lines inside fenced code are not mistaken for headings.
 */
export function splitDocument(doc: SourceDocument): IndexedDocument {
  const tokens = new Lexer({ gfm: true }).lex(doc.markdown);
  const drafts: Draft[] = [
    { heading: '', level: 0, headingPath: [], raw: [], plain: [], lead: [], leadChars: 0 },
  ];
  const stack: { level: number; text: string }[] = [];
  let firstHeading: string | undefined;

  for (const token of tokens) {
    if (token.type === 'heading') {
      const h = token as Tokens.Heading;
      const text = tokensToPlain(h.tokens).trim();
      firstHeading ??= text;
      while (stack.length && (stack[stack.length - 1]?.level ?? 0) >= h.depth) stack.pop();
      stack.push({ level: h.depth, text });
      drafts.push({
        heading: text,
        level: h.depth,
        headingPath: stack.map((s) => s.text),
        raw: [],
        plain: [],
        lead: [],
        leadChars: 0,
      });
    }
    const current = drafts[drafts.length - 1] as Draft;
    current.raw.push(token.raw);
    if (token.type === 'heading') continue;
    const text = tokenToPlain(token);
    current.plain.push(text);
    // The lead: the first paragraphs of prose (not lists, notes, tables or code).
    if (token.type === 'paragraph' && current.leadChars < LEAD_CHARS) {
      const paragraph = text.trim();
      if (paragraph) {
        current.lead.push(paragraph);
        current.leadChars += paragraph.length;
      }
    }
  }

  const title = doc.title?.trim() || firstHeading || baseName(doc.path);
  const docUrl = doc.url ?? `docs://${doc.id}`;
  const used = new Map<string, number>();
  const sections: Section[] = [];
  for (const d of drafts) {
    const markdown = d.raw.join('').trim();
    if (d.level === 0 && !markdown) continue;
    let anchor = d.level === 0 ? '' : slugify(d.heading) || 'section';
    const seen = used.get(anchor);
    used.set(anchor, (seen ?? 0) + 1);
    if (seen !== undefined) anchor = `${anchor}-${seen}`;
    sections.push({
      id: `${doc.id}#${anchor}`,
      docId: doc.id,
      docTitle: title,
      heading: d.heading,
      headingPath: d.headingPath,
      level: d.level,
      anchor,
      markdown,
      plain: d.plain
        .join('')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
      lead: d.lead.join('\n\n'),
      url: anchor ? `${docUrl}#${anchor}` : docUrl,
      order: sections.length,
    });
  }
  return { id: doc.id, title, path: doc.path, url: docUrl, markdown: doc.markdown, sections };
}
