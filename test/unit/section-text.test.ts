import { describe, expect, it } from 'vitest';
import { leadOf } from '../../src/domain/section-text.js';

const API_SECTION = `### \`fs.existsSync(path)\`

<!-- YAML
added: v0.1.21
-->

* \`path\` {string|Buffer|URL}
* Returns: {boolean}

> Stability: 2 - Stable

Returns \`true\` if the path exists, \`false\` otherwise. See [\`fs.exists()\`][].

\`\`\`mjs
import { existsSync } from 'node:fs';

if (existsSync('/etc/passwd')) console.log('exists');
\`\`\`

A second paragraph.
`;

describe('leadOf', () => {
  it('is the first prose paragraph: no heading, history comment, parameter list, note or code', () => {
    const lead = leadOf(API_SECTION, 40);
    expect(lead).toBe('Returns true if the path exists, false otherwise. See fs.exists().');
  });

  it('reads on to later paragraphs up to the size asked, skipping code', () => {
    const lead = leadOf(API_SECTION, 400);
    expect(lead).toContain('A second paragraph.');
    expect(lead).not.toContain('existsSync(');
  });

  it('takes the text of a paragraph glued to its heading line, and of HTML', () => {
    expect(leadOf('## Title\nText right under it.')).toBe('Text right under it.');
    expect(leadOf('<p>In <b>HTML</b></p>')).toBe('In  HTML');
  });

  it('is empty for a bare heading', () => {
    expect(leadOf('## Only a heading\n')).toBe('');
  });
});
