import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import type { SourceDocument } from '../../src/domain/document.js';

const splitter = new MarkedSectionSplitter();
const splitDocument = (doc: SourceDocument) => splitter.split(doc).document;

const API_SECTION = `### \`fs.existsSync(path)\`

<!-- YAML
added: v0.1.21
-->

* \`path\` {string|Buffer|URL}
* Returns: {boolean}

> Stability: 2 - Stable

Returns \`true\` if the path exists, \`false\` otherwise. See [\`fs.exists()\`][] and \`max_old_space_size\`.

\`\`\`mjs
import { existsSync } from 'node:fs';

if (existsSync('/etc/passwd')) console.log('exists');
\`\`\`

A second paragraph.

### Only a heading

[\`fs.exists()\`]: #fsexistspath-callback
`;

const sections = splitDocument({ id: 'fs', path: 'fs.md', markdown: API_SECTION }).sections;

describe('a section lead', () => {
  it('is the first prose paragraphs: no history comment, parameter list, note or code', () => {
    const [lead1, lead2] = (sections[0]?.lead ?? '').split('\n\n');
    expect(lead1).toBe(
      'Returns true if the path exists, false otherwise. See fs.exists() and max_old_space_size.',
    );
    expect(lead2).toBe('A second paragraph.');
    expect(sections[0]?.lead).not.toContain('existsSync(');
    expect(sections[0]?.lead).not.toContain('Stability');
  });

  it('is a verbatim part of the plain text, so the index can leave it out of the body', () => {
    for (const paragraph of (sections[0]?.lead ?? '').split('\n\n')) {
      expect(sections[0]?.plain).toContain(paragraph);
    }
  });

  it('is empty for a bare heading', () => {
    expect(sections[1]?.lead).toBe('');
  });
});
