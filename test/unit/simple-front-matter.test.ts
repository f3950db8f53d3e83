import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import { simpleFrontMatter } from '../../src/adapters/filesystem/simple-front-matter.js';

/** What FsMarkdownDocSource took from gray-matter before the shortcut: content and string title. */
function viaGrayMatter(text: string) {
  const parsed = matter(text, {});
  const title = typeof parsed.data.title === 'string' ? parsed.data.title : undefined;
  return title === undefined ? { content: parsed.content } : { content: parsed.content, title };
}

const TAKEN = [
  '',
  '# No front matter\n\nText.\n',
  '---\ntitle: "Merge Entry Depth"\ntags: [handler, input]\nweight: 14\n---\n\n# Merge\n\nText.\n',
  "---\ntitle: 'Single quoted: yes'\n---\nBody",
  '---\ntitle: Plain words v2.1/next\ndraft:\n---\r\nBody after CRLF',
  '---\ntitle: 123\n---\nA number is no title.',
  '---\ntags: []\nweight: -3\n---\n# Untitled',
  '---\ntitle: "x"\n---',
  '---\ntitle: "Ünïcode — déjà vu"\n---\nx',
  '----\ntitle: "a rule, not front matter"\n----\n',
];

const LEFT_TO_GRAY_MATTER = [
  '\uFEFF---\ntitle: "bom"\n---\nx',
  '---yaml\ntitle: "language"\n---\nx',
  '---\r\ntitle: "crlf"\r\n---\r\nx',
  '---\ntitle: "a"\ntitle: "repeated key"\n---\nx',
  '---\n# a comment\ntitle: "x"\n---\nx',
  '---\ntitle: "escaped \\" quote"\n---\nx',
  '---\ntitle: null\n---\nx',
  '---\ntitle: true\n---\n',
  '---\ntitle: a: b\n---\nx',
  '---\ntitle: word # comment\n---\nx',
  '---\nnested:\n  key: value\n---\nx',
  '---\n\n---\nempty',
  '---\ntitle: "no end"\n',
  '---\ntitle: 2020-01-01\n---\nx',
  '---\ntitle: "tab\there"\n---\nx',
];

describe('simpleFrontMatter', () => {
  it.each(TAKEN)('reads %j as gray-matter does', (text) => {
    const simple = simpleFrontMatter(text);
    expect(simple).toBeDefined();
    expect(simple).toEqual(viaGrayMatter(text));
  });

  it.each(LEFT_TO_GRAY_MATTER)('leaves %j to gray-matter', (text) => {
    expect(simpleFrontMatter(text)).toBeUndefined();
  });
});
