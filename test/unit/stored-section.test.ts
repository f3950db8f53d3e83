import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import type { Section } from '../../src/domain/document.js';
import {
  decodeRuns,
  encodeRuns,
  StoredSection,
  sectionTexts,
  storedSplit,
} from '../../src/domain/stored-section.js';

const splitter = new MarkedSectionSplitter();

/** Markdown of every kind the splitter reads, through both of its paths (simple scanner, marked). */
const SAMPLES = [
  `# Guide

Intro with **bold**, \`code\` and a [link](https://example.com/a) to [the API][api].

[api]: https://example.com/api

## Options

- \`alpha\`: the first option, with a nested list
  - \`beta\`: nested
- Plain item

| Name | Value |
| --- | --- |
| \`x\` | 1 |

\`\`\`js
const x = 1; // code is plain text too
\`\`\`

### \`fs.existsSync(path)\`

<!-- YAML
added: v0.1.21
-->

> Stability: 0 - Deprecated

Returns \`true\` if the path exists. A second sentence.

A second paragraph.`,
  // HTML and entities: plain text that is not runs of the Markdown (kept as it is).
  `# HTML

<table><tr><td>key</td><td>value &amp; more</td></tr></table>

Text with &lt;entities&gt; and an escaped \\* star.

Setext heading
==============

Body under it.`,
  `No heading at all, only a preamble.\n\nTwo paragraphs.`,
  '',
];

function sectionsOf(markdown: string, marked: boolean): readonly Section[] {
  const doc = { id: 'doc', path: 'doc.md', markdown };
  return (marked ? splitter.splitWithMarked(doc) : splitter.split(doc)).document.sections;
}

describe('StoredSection', () => {
  it('reads every field as the splitter gave it, plain text and lead included', () => {
    let sections = 0;
    let asRuns = 0;
    for (const markdown of SAMPLES)
      for (const marked of [false, true]) {
        const split = splitter.split({ id: 'doc', path: 'doc.md', markdown });
        const stored = storedSplit(split);
        const given = sectionsOf(markdown, marked);
        expect(stored.document.sections.length).toBe(split.document.sections.length);
        for (const s of given) {
          const kept = new StoredSection(s);
          sections++;
          if ((kept as unknown as { runs?: string }).runs !== undefined) asRuns++;
          // Every own field of the splitter's section, through the stored one's getters.
          for (const key of Object.keys(s) as (keyof Section)[]) expect(kept[key]).toEqual(s[key]);
          // Where the lead is: its first place in the plain text (a plain Section does not say).
          const leadStart = s.plain.indexOf(s.lead);
          expect(kept.texts()).toEqual({ plain: s.plain, lead: s.lead, leadStart });
          expect(sectionTexts(kept)).toEqual({ plain: s.plain, lead: s.lead, leadStart });
          expect(sectionTexts(s)).toEqual({ plain: s.plain, lead: s.lead, leadStart: -1 });
        }
      }
    expect(sections).toBeGreaterThan(10);
    // Both ways of holding a plain text met: as runs of the Markdown, and as it is.
    expect(asRuns).toBeGreaterThan(2);
    expect(asRuns).toBeLessThan(sections);
  });

  it("makes a section's URL from its document's when it is that plus its anchor, else keeps it", () => {
    const [preamble, guide] = splitter.split({
      id: 'doc',
      path: 'doc.md',
      url: 'https://example.com/doc',
      markdown: 'Preamble text.\n\n# Guide\n\nBody.',
    }).document.sections as Section[];
    expect(new StoredSection(preamble as Section, 'https://example.com/doc').url).toBe(
      'https://example.com/doc',
    );
    expect(new StoredSection(guide as Section, 'https://example.com/doc').url).toBe(
      'https://example.com/doc#guide',
    );
    expect(new StoredSection(guide as Section, 'https://elsewhere/').url).toBe(
      'https://example.com/doc#guide',
    );
    expect(new StoredSection(guide as Section).url).toBe('https://example.com/doc#guide');
  });

  it('is made again from its stored texts (as a snapshot keeps them) without its plain text', () => {
    for (const markdown of SAMPLES)
      for (const s of sectionsOf(markdown, false)) {
        const kept = new StoredSection(s, 'docs://doc');
        const { plain: _plain, lead: _lead, ...fields } = s;
        const again = new StoredSection(fields, 'docs://doc', kept.storedText());
        expect(again).toEqual(kept);
        expect(again.texts()).toEqual({ plain: s.plain, lead: s.lead, leadStart: s.plain.indexOf(s.lead) });
        expect(again.url).toBe(s.url);
      }
  });

  it('keeps a document whose sections are all stored as it is, and the links beside them', () => {
    const split = splitter.split({ id: 'doc', path: 'doc.md', markdown: SAMPLES[0] as string });
    const stored = storedSplit(split);
    expect(stored.links).toBe(split.links);
    expect(stored.document.sections.every((s) => s instanceof StoredSection)).toBe(true);
    expect(storedSplit(stored)).toBe(stored);
    const { sections, ...rest } = stored.document;
    const { sections: before, ...restBefore } = split.document;
    expect(rest).toEqual(restBefore);
    expect(sections.map((s) => s.plain)).toEqual(before.map((s) => s.plain));
  });
});

describe('encodeRuns / decodeRuns', () => {
  it('gives back the text, runs of any length included (past 16 bits)', () => {
    const long = 'word '.repeat(30_000);
    const markdown = `\`\`\`\n${'x'.repeat(70_000)}\n\`\`\`\n**${long}** and \`more\` ${long}`;
    const plain = `${long} and more ${long}`;
    const runs = encodeRuns(plain, markdown, 0);
    expect(runs).toBeDefined();
    expect(decodeRuns(runs as string, markdown)).toBe(plain);
    expect((runs as string).length).toBeLessThan(20);
  });

  it('gives up on a text that is not runs of the Markdown in order, or not in few enough', () => {
    expect(encodeRuns('abc', 'cba', 0)).toBeUndefined();
    expect(encodeRuns('a b c d e f g h', 'a_b_c_d_e_f_g_h', 0)).toBeUndefined();
    expect(encodeRuns('', 'anything', 0)).toBeUndefined();
    // Only from `from` on.
    expect(encodeRuns('title', '# title\nbody', 8)).toBeUndefined();
  });
});
