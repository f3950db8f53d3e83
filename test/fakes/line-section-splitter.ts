import type { Link, Section, SectionLink, SourceDocument, SplitDocument } from '../../src/domain/document.js';
import { slugify } from '../../src/domain/slug.js';
import type { SectionSplitter } from '../../src/ports/section-splitter.js';

/**
 * A stand-in SectionSplitter that reads Markdown line by line: ATX headings outside code fences,
 * paragraphs, lists and fences as blocks, and only the inline syntax the contract uses (emphasis,
 * code spans, inline links). Enough to keep the SectionSplitter contract honest about what it
 * asks of any Markdown parser; far from CommonMark.
 */
export class LineSectionSplitter implements SectionSplitter {
  split(doc: SourceDocument): SplitDocument {
    const drafts: Draft[] = [{ heading: '', level: 0, headingPath: [], lines: [] }];
    const stack: { level: number; text: string }[] = [];
    let fenced = false;
    for (const line of doc.markdown.split('\n')) {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      const heading = fenced ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading) {
        const level = (heading[1] as string).length;
        const text = inlinePlain(heading[2] as string);
        while (stack.length && (stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
        stack.push({ level, text });
        drafts.push({ heading: text, level, headingPath: stack.map((s) => s.text), lines: [] });
      }
      drafts[drafts.length - 1]?.lines.push(line);
    }
    const firstHeading = drafts[1]?.heading;
    const title = doc.title?.trim() || firstHeading || baseName(doc.path);
    const docUrl = doc.url ?? `docs://${doc.id}`;
    const used = new Set<string>();
    const sections: Section[] = [];
    const links: SectionLink[] = [];
    for (const d of drafts) {
      const markdown = d.lines.join('\n').trim();
      if (d.level === 0 && !markdown) continue;
      const base = d.level === 0 ? '' : slugify(d.heading) || 'section';
      let anchor = base;
      for (let n = 1; used.has(anchor); n++) anchor = `${base}-${n}`;
      used.add(anchor);
      const id = `${doc.id}#${anchor}`;
      const found: Link[] = [];
      const blocks = blocksOf(d.level === 0 ? d.lines : d.lines.slice(1));
      // The lead: paragraphs until ~400 characters of them.
      const lead: string[] = [];
      for (const b of blocks) if (b.kind === 'paragraph' && lead.join('').length < 400) lead.push(b.plain);
      for (const b of blocks) if (b.kind === 'paragraph') found.push(...linksOf(b.text));
      sections.push({
        id,
        docId: doc.id,
        docTitle: title,
        heading: d.heading,
        headingPath: d.headingPath,
        level: d.level,
        anchor,
        markdown,
        plain: blocks.map((b) => b.plain).join('\n\n'),
        lead: lead.join('\n\n'),
        url: anchor ? `${docUrl}#${anchor}` : docUrl,
        order: sections.length,
      });
      for (const l of found) links.push({ ...l, from: id });
    }
    return {
      document: { id: doc.id, title, path: doc.path, url: docUrl, markdown: doc.markdown, sections },
      links,
    };
  }
}

interface Draft {
  heading: string;
  level: number;
  headingPath: string[];
  lines: string[];
}

interface Block {
  kind: 'paragraph' | 'list' | 'code';
  /** As written (Markdown). */
  text: string;
  plain: string;
}

function blocksOf(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current: { kind: Block['kind']; lines: string[] } | undefined;
  const close = () => {
    if (!current) return;
    const text = current.lines.join('\n');
    const plain =
      current.kind === 'code'
        ? current.lines.slice(1, -1).join('\n')
        : current.lines.map((l) => inlinePlain(l.replace(/^\s*([*-]|\d+\.)\s+/, ''))).join('\n');
    blocks.push({ kind: current.kind, text, plain });
    current = undefined;
  };
  for (const line of lines) {
    if (current?.kind === 'code') {
      current.lines.push(line);
      if (/^\s*(```|~~~)/.test(line)) close();
    } else if (/^\s*(```|~~~)/.test(line)) {
      close();
      current = { kind: 'code', lines: [line] };
    } else if (!line.trim()) close();
    else {
      const kind = /^\s*([*-]|\d+\.)\s+/.test(line) ? 'list' : 'paragraph';
      if (current?.kind !== kind) close();
      current ??= { kind, lines: [] };
      current.lines.push(line);
    }
  }
  close();
  return blocks;
}

/** Inline Markdown as plain text, links kept as `\uE000href\uE001text\uE002` for linksOf. */
function inlineWithLinks(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, '\uE000$2\uE001$1\uE002')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/<[^>]*>/g, '');
}

function inlinePlain(text: string): string {
  return inlineWithLinks(text).replace(/\uE000[^\uE001]*\uE001([^\uE002]*)\uE002/g, '$1');
}

/** The links of a paragraph (Markdown), each with the sentence around it. */
function linksOf(paragraph: string): Link[] {
  const out: Link[] = [];
  const marked = inlineWithLinks(paragraph);
  const sentences = marked.split(/(?<=[.!?;])\s+/);
  for (const sentence of sentences)
    for (const m of sentence.matchAll(/\uE000([^\uE001]*)\uE001/g))
      out.push({ href: m[1] as string, context: inlinePlain(sentence).replace(/\s+/g, ' ').trim() });
  return out;
}

function baseName(path: string): string {
  const last = path.split('/').filter(Boolean).pop() ?? path;
  return last.replace(/\.(md|mdx|markdown)$/i, '') || path;
}
