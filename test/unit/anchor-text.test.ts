import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { anchorTexts } from '../../src/domain/anchor-text.js';
import type { SourceDocument } from '../../src/domain/document.js';

const splitter = new MarkedSectionSplitter();
const splitWithLinks = (doc: SourceDocument) => splitter.split(doc);

const FS = `# File system

## \`fs.rm(path[, options], callback)\`

Removes files and directories.

## \`fs.rmdir(path[, options], callback)\`

Removes a directory. To get a behavior similar to the \`rm -rf\` Unix command, use
[\`fs.rm()\`][] with options \`{ recursive: true, force: true }\`. See also [the other][].

* A list item about [\`process.exitCode\`](process.md#processexitcode_1) twice.

[\`fs.rm()\`]: #fsrmpath-options-callback
[the other]: ./guide/../process.md#processenv
`;
const PROCESS = `# Process

## \`process.env\`

The user environment. Unlike [\`fs.rm()\`](fs.md#fsrmpath-options-callback) it is an object;
see [Node.js](https://nodejs.org/) and [the module](fs.md).

## \`process.exitCode\`

Old.

## \`process.exitCode\`

A number.
`;

const split = [
  splitWithLinks({ id: 'fs', path: 'fs.md', markdown: FS }),
  splitWithLinks({ id: 'process', path: 'process.md', markdown: PROCESS }),
];
const docs = split.map((s) => s.document);
const links = split.flatMap((s) => s.links);

describe('splitWithLinks', () => {
  it('reports each link with the sentence around it and the section it is in', () => {
    const rm = links.find((l) => l.href === '#fsrmpath-options-callback');
    expect(rm?.from).toBe('fs#fsrmdirpath-options-callback');
    expect(rm?.context).toBe(
      'To get a behavior similar to the rm -rf Unix command, use fs.rm() with options { recursive: true, force: true }.',
    );
    expect(links.find((l) => l.href === 'process.md#processexitcode_1')?.context).toBe(
      'A list item about process.exitCode twice.',
    );
  });

  it('gives the same document as splitDocument', () => {
    expect(docs[0]?.sections.map((s) => s.id)).toEqual([
      'fs#file-system',
      'fs#fsrmpath-options-callback',
      'fs#fsrmdirpath-options-callback',
    ]);
  });
});

describe('anchorTexts', () => {
  const texts = anchorTexts(docs, links, 3);

  it('collects what other sections say where they link to a section, within and across documents', () => {
    expect(texts.get('fs#fsrmpath-options-callback')).toEqual([
      'To get a behavior similar to the rm -rf Unix command, use fs.rm() with options { recursive: true, force: true }.',
      'Unlike fs.rm() it is an object;',
    ]);
  });

  it('resolves relative paths and numbered repeated headings (name_1 is our name-1)', () => {
    expect(texts.get('process#processenv')).toEqual(['See also the other.']);
    expect(texts.get('process#processexitcode-1')).toEqual(['A list item about process.exitCode twice.']);
  });

  it('drops external links, links to a whole document, and keeps at most max contexts per section', () => {
    expect([...texts.keys()].sort()).toEqual([
      'fs#fsrmpath-options-callback',
      'process#processenv',
      'process#processexitcode-1',
    ]);
    expect(anchorTexts(docs, links, 1).get('fs#fsrmpath-options-callback')).toHaveLength(1);
  });

  it("gives the same with the caller's section ids as with its own, and resolves only to those", () => {
    const ids = new Map(docs.flatMap((d) => d.sections.map((s) => [s.id, s] as const)));
    expect(anchorTexts(docs, links, 3, ids)).toEqual(texts);
    ids.delete('process#processenv');
    expect(anchorTexts(docs, links, 3, ids).has('process#processenv')).toBe(false);
  });
});
