import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { simpleMarkdownBlocks } from '../../src/adapters/marked/simple-markdown-blocks.js';
import type { SourceDocument } from '../../src/domain/document.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const splitter = new MarkedSectionSplitter();
const doc = (markdown: string): SourceDocument => ({ id: 'd', path: 'd.md', markdown });

/** Documents the simple scanner reads itself: its split must be marked's, sections and links. */
const READ = {
  'headings and prose':
    '# Title\n\nIntro with `code`, **bold** and [a link](other.md#x). Two. Three?\n\n## Next\n\nMore.\n',
  preamble: '\n\nBefore any heading.\n\n# H\n\ntext\n',
  'paragraph over lines': '# H\n\nline one\nline two with `x_y`\nline three.\n',
  'fences, empty and with blank lines':
    '# H\n\n```js\n# not a heading\n\nconst a = 1;\n\n```\n\n```\n```\n\n```sh\n\n```\n',
  table:
    '## T\n\n| Name | Type |\n| --- | --- |\n| `a.b` | string |\n| [x](y.md) | `Buffer` |\n| short |\n\nAfter.\n',
  'tight lists, nested':
    '# L\n\n- `a`: one\n- two\n  - two.one\n  - two.two [ref](r.md)\n- three\n\n1. first\n2. second\n',
  'ordered item with a two-space child (a new list)':
    '# L\n\n1. first\n  - not nested\n  - sibling\n2. second\n\nText.\n',
  'loose list (blank line between items)': '# L\n\n- a\n\n- b\n  - b1\n\n- c\n\n\nAfter.\n',
  'list then fence and heading': '# L\n\n- a\n- b\n```js\nx\n```\n- c\n# H2\n\nend',
  'lead over several paragraphs': `# H\n\n${'word '.repeat(90).trim()}.\n\n${'more '.repeat(30).trim()}.\n\nthird.\n`,
  'no final newline': '# H\n\ntext',
  'strong at the start of a line': '# H\n\n**Note** this: it is (**bold**).\n',
  'links at the start of a line': '# H\n\n[a](b.md) first. Then [c](d.md); end.\n',
  'list item with two paragraphs (a loose list)': '# L\n\n* `a` {string}\n\n  More on a.\n* b\n\nAfter.\n',
  'Node.js-style stability blockquote':
    '# H\n\n> Stability: 0 - Deprecated: Use [`x()`][]\n> instead.\n\ntext\n\n[`x()`]: x.md\n',
  'HTML comments (YAML history, markers)':
    '<!--introduced_in=v0.10.0-->\n\n# H\n<!-- YAML\nadded: v1\n-->\n\n\ntext\n\n<!--lint disable-->\n',
  'reference links and definitions':
    '# H\n\nSee [`fs.open()`][] and [the docs][ref], [Ref] too.\n\n[`fs.open()`]: fs.md#open\n[ref]: https://example.com\n',
  'emphasis with _ and *, strong with punctuation':
    '# H\n\nan _emphasis_ here, *this* too.\n**Default:** `1`.\n\n* `a` {string|number} **Default:** `2`.\n',
};

/** Documents it leaves to marked (the split is then marked's by construction). */
const REFUSED = {
  'blockquote with a lazy line': '# H\n\n> Stability: 0 - Deprecated\nlazy\n',
  'blockquote with a list': '# H\n\n> - a\n> - b\n',
  'html block': '# H\n\n<div>\nx\n</div>\n\ntext\n',
  'html comment with text after it': '# H\n\n<!-- c --> text\n',
  setext: 'Title\n=====\n\ntext\n',
  'intraword _': '# H\n\nsnake_case_name here\n',
  'undefined reference': '# H\n\nsee [the docs][ref]\n',
  'duplicate definition': '# H\n\n[a][]\n\n[a]: x.md\n[A]: y.md\n',
  'definition with a title': '# H\n\n[a][]\n\n[a]: x.md "t"\n',
  'definition in a fence': '# H\n\n```\n[a]: x.md\n```\n\n[a][]\n',
  entity: '# H\n\nAT&amp;T\n',
  autolink: '# H\n\nsee https://example.com\n',
  tab: '# H\n\n\tindented code\n',
  crlf: '# H\r\n\r\ntext\r\n',
  'lazy list line': '# H\n\n- item\nlazy continuation\n',
  'hard line break': '# H\n\nline  \nbreak\n',
  'closing hashes': '# H #\n\ntext\n',
};

describe('simpleMarkdownBlocks', () => {
  it.each(Object.entries(READ))('reads "%s" itself, as marked does', (_name, markdown) => {
    expect(simpleMarkdownBlocks(markdown)).toBeDefined();
    expect(splitter.split(doc(markdown))).toEqual(splitter.splitWithMarked(doc(markdown)));
  });

  it.each(Object.entries(REFUSED))('leaves "%s" to marked', (_name, markdown) => {
    expect(simpleMarkdownBlocks(markdown)).toBeUndefined();
    expect(splitter.split(doc(markdown))).toEqual(splitter.splitWithMarked(doc(markdown)));
  });

  it('splits the sample docs as marked does, whichever reads them', () => {
    for (const markdown of Object.values(SAMPLE_DOCS))
      expect(splitter.split(doc(markdown))).toEqual(splitter.splitWithMarked(doc(markdown)));
  });

  it("gives a link's context without regard to the links split before it", () => {
    const text = '# H\n\nOne sentence. Two [x](a.md) here. Three.\n';
    const first = splitter.split(doc(text)).links;
    splitter.split(doc('# Other\n\nLong lead text without a stop and then [y](b.md) and more words.\n'));
    expect(splitter.split(doc(text)).links).toEqual(first);
    expect(first[0]?.context).toBe('Two x here.');
  });
});
