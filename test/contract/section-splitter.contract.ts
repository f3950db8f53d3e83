import { describe, expect, it } from 'vitest';
import type { SourceDocument } from '../../src/domain/document.js';
import type { SectionSplitter } from '../../src/ports/section-splitter.js';

const GUIDE = [
  'Intro text before any heading.',
  '',
  '# Guide',
  '',
  'First paragraph with **bold** and `code`. See [the stream docs](streams.md#pipe) for piping data. Last one.',
  '',
  'Second paragraph.',
  '',
  '```sh',
  '# not a heading',
  '```',
  '',
  '## Options',
  '',
  '* `a` list item',
  '',
  '## Options',
  '',
  '### `fs.readFile(path)`',
  '',
  'Deep text.',
  '',
].join('\n');

const doc = (markdown: string, more: Partial<SourceDocument> = {}): SourceDocument => ({
  id: 'guide',
  path: 'docs/guide.md',
  markdown,
  ...more,
});

/**
 * What every SectionSplitter promises: one section per heading of any level (plus the text before
 * the first), with unique anchors, heading paths, plain text without Markdown syntax, a lead of
 * prose, and the links in that prose. Run against the marked adapter and the line-based fake.
 */
export function runSectionSplitterContract(name: string, make: () => SectionSplitter): void {
  describe(`SectionSplitter contract: ${name}`, () => {
    const splitter = make();
    const { document, links } = splitter.split(doc(GUIDE));
    const section = (anchor: string) => document.sections.find((s) => s.anchor === anchor);

    it('makes one section per heading, plus the text before the first, in order', () => {
      expect(document.sections.map((s) => s.id)).toEqual([
        'guide#',
        'guide#guide',
        'guide#options',
        'guide#options-1',
        'guide#fsreadfilepath',
      ]);
      expect(document.sections.map((s) => s.level)).toEqual([0, 1, 2, 2, 3]);
      expect(document.sections.map((s) => s.order)).toEqual([0, 1, 2, 3, 4]);
      expect(document.sections.every((s) => s.docId === 'guide' && s.docTitle === 'Guide')).toBe(true);
    });

    it('does not take a # line in fenced code for a heading', () => {
      expect(document.sections.some((s) => s.heading.includes('not a heading'))).toBe(false);
      expect(section('guide')?.markdown).toContain('# not a heading');
      expect(section('guide')?.plain).toContain('not a heading');
    });

    it('gives headings as plain text, with the path of headings above them', () => {
      expect(section('fsreadfilepath')?.heading).toBe('fs.readFile(path)');
      expect(section('fsreadfilepath')?.headingPath).toEqual(['Guide', 'Options', 'fs.readFile(path)']);
      expect(section('')?.heading).toBe('');
      expect(section('')?.headingPath).toEqual([]);
    });

    it("keeps each section's Markdown, heading line first, as a slice of the document", () => {
      expect(section('guide')?.markdown.startsWith('# Guide')).toBe(true);
      expect(section('options-1')?.markdown).toBe('## Options');
      for (const s of document.sections) expect(GUIDE).toContain(s.markdown);
      expect(document.markdown).toBe(GUIDE);
    });

    it('gives plain text without Markdown syntax', () => {
      const plain = section('guide')?.plain ?? '';
      expect(plain).toContain('First paragraph with bold and code.');
      expect(plain).toContain('See the stream docs for piping data.');
      expect(plain).not.toMatch(/\*\*|`|\]\(/);
      expect(section('options')?.plain).toContain('a list item');
    });

    it('takes the lead from the first paragraphs of prose, not lists or code', () => {
      const lead = section('guide')?.lead ?? '';
      expect(lead.startsWith('First paragraph with bold and code.')).toBe(true);
      expect(lead).toContain('Second paragraph.');
      expect(lead).not.toContain('not a heading');
      expect(section('options')?.lead).toBe('');
      expect(section('fsreadfilepath')?.lead).toBe('Deep text.');
    });

    it('reports the links in prose with their sentence and section', () => {
      expect(links).toEqual([
        { href: 'streams.md#pipe', context: 'See the stream docs for piping data.', from: 'guide#guide' },
      ]);
    });

    it('takes the title from the source, else the first heading, else the file name', () => {
      expect(document.title).toBe('Guide');
      const titled = splitter.split(
        doc(GUIDE, { title: 'The Guide', url: 'https://docs.example/guide' }),
      ).document;
      expect(titled.title).toBe('The Guide');
      expect(titled.sections.every((s) => s.docTitle === 'The Guide')).toBe(true);
      expect(splitter.split(doc('Just text.', { path: 'docs/notes.md' })).document.title).toBe('notes');
    });

    it('makes URLs from the source URL, or a docs:// one, plus the anchor', () => {
      expect(document.url).toBe('docs://guide');
      expect(section('')?.url).toBe('docs://guide');
      expect(section('options')?.url).toBe('docs://guide#options');
      const linked = splitter.split(doc(GUIDE, { url: 'https://docs.example/guide' })).document;
      expect(linked.sections[2]?.url).toBe('https://docs.example/guide#options');
    });

    it('makes no section of an empty preamble', () => {
      const { sections } = splitter.split(doc('# Only\n\nText.\n')).document;
      expect(sections.map((s) => s.id)).toEqual(['guide#only']);
    });

    it('is pure: the same document splits the same way', () => {
      expect(make().split(doc(GUIDE))).toEqual(splitter.split(doc(GUIDE)));
    });
  });
}
