import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import type { SourceDocument } from '../../src/domain/document.js';
import { slugify } from '../../src/domain/slug.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const splitter = new MarkedSectionSplitter();
const splitDocument = (doc: SourceDocument) => splitter.split(doc).document;

const doc = (path: string, title?: string) => ({
  id: path.replace(/\.md$/, ''),
  path,
  title,
  markdown: SAMPLE_DOCS[path] as string,
});

describe('splitDocument', () => {
  it('splits along headings of every level and keeps the heading path', () => {
    const d = splitDocument(doc('timers.md'));
    expect(d.sections.map((s) => s.heading)).toEqual([
      'Timers',
      'Class: Timeout',
      'timeout.unref()',
      'timeout.ref()',
      'setTimeout(callback, delay)',
    ]);
    const unref = d.sections[2];
    expect(unref?.headingPath).toEqual(['Timers', 'Class: Timeout', 'timeout.unref()']);
    expect(unref?.id).toBe('timers#timeoutunref');
    expect(unref?.markdown.startsWith('### timeout.unref()')).toBe(true);
    expect(unref?.plain).toContain('will not require the event loop');
  });

  it('does not mistake a # line inside a fenced code block for a heading', () => {
    const d = splitDocument(doc('timers.md'));
    const last = d.sections.at(-1);
    expect(last?.heading).toBe('setTimeout(callback, delay)');
    expect(last?.markdown).toContain('# not a heading');
  });

  it('gives duplicate headings distinct anchors', () => {
    const d = splitDocument(doc('tls.md'));
    expect(d.sections.map((s) => s.anchor)).toEqual([
      'tls',
      'tlscreatesecurecontextoptions',
      'examples',
      'examples-1',
    ]);
  });

  it('never gives two sections one id, even when a heading looks like a numbered repeat', () => {
    const d = splitDocument({ id: 'x', path: 'x.md', markdown: '# Foo\n\n# Foo\n\n# Foo 1\n\n# Foo\n' });
    expect(d.sections.map((s) => s.anchor)).toEqual(['foo', 'foo-1', 'foo-1-1', 'foo-2']);
  });

  it('keeps code spans literal: an entity inside code is not decoded', () => {
    const d = splitDocument({ id: 'x', path: 'x.md', markdown: '# T\n\nUse `a &lt; b` when a &lt; b.\n' });
    expect(d.sections[0]?.plain).toContain('Use a &lt; b when a < b.');
  });

  it('keeps text before the first heading as a preamble section with the bare document id', () => {
    const d = splitDocument(doc('guide/files.md'));
    expect(d.sections[0]?.id).toBe('guide/files#');
    expect(d.sections[0]?.plain).toBe('Some preamble before any heading.');
    expect(d.title).toBe('Working with files');
  });

  it('takes the title from the source first, then the first heading, then the file name', () => {
    expect(splitDocument(doc('timers.md', 'Front matter title')).title).toBe('Front matter title');
    expect(splitDocument(doc('timers.md')).title).toBe('Timers');
    expect(splitDocument({ id: 'notes/todo', path: 'notes/todo.md', markdown: 'just text' }).title).toBe(
      'todo',
    );
  });

  it('builds urls from the permalink when the source has one', () => {
    const d = splitDocument({ id: 'x', path: 'x', url: 'https://docs.example/x/', markdown: '# A b' });
    expect(d.sections[0]?.url).toBe('https://docs.example/x/#a-b');
  });
});

describe('slugify', () => {
  it('matches GitHub-style anchors', () => {
    expect(slugify('`fs.readFile(path[, options], callback)`')).toBe('fsreadfilepath-options-callback');
    expect(slugify('Class: Timeout')).toBe('class-timeout');
  });

  it('keeps the text of raw HTML (tables) in the plain text, without tags or comments', () => {
    const d = splitDocument({
      id: 'os',
      path: 'os.md',
      markdown:
        '# OS\n\n<!-- YAML\nadded: v1\n-->\n\n<table>\n<tr><td><code>SIGINT</code></td><td>Interrupt &amp; stop.</td></tr>\n</table>\n',
    });
    const plain = d.sections[0]?.plain ?? '';
    expect(plain).toContain('SIGINT');
    expect(plain).toContain('Interrupt & stop.');
    expect(plain).not.toMatch(/<|YAML/);
  });
});
