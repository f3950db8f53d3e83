import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { simpleMarkdownBlocks } from '../../src/adapters/marked/simple-markdown-blocks.js';

/**
 * Small random documents built from what the simple scanner reads (and near misses of it): either
 * the scanner refuses, or the split it gives is marked's, sections and links.
 */
const splitter = new MarkedSectionSplitter();

/** Pieces the scanner reads, and near misses of them (`clean: false`) it should refuse or get right. */
function pieces(clean: boolean) {
  const pick = (good: string[], bad: string[]) => fc.constantFrom(...(clean ? good : [...good, ...bad]));
  const word = pick(
    ['alpha', 'Beta', 'the', 'x1', 'a.b', '(note)', 'end.', 'yes!', 'why?', '--flag', '{string}', 'x|y'],
    ['snake_case', '#x'],
  );
  const span = fc.oneof(
    { weight: 6, arbitrary: word },
    {
      weight: 2,
      arbitrary: pick(
        ['`code`', '`a_b*c`', '`[x]`', '`null`', '` c `', '`a\nb`', '\\[x\\]', 'a\\_b', '{s\\[]}', 'x]'],
        ['`a`b', '`` x ``', '` x`'],
      ),
    },
    {
      weight: 2,
      arbitrary: pick(
        [
          '**bold**',
          '**Default:**',
          '*em*',
          '_em_',
          '_a b_',
          '_not\nsplit_',
          '**a (b)**',
          '**a `b` c**',
          '**`x`**',
          '_a `b_c` d_',
          '**If `x`,\ndo not.**',
        ],
        ['_**both**_', '**a **', '*a*b', '_a_b', '__x__', '**a `**` b**', '*`a*`*'],
      ),
    },
    {
      weight: 2,
      arbitrary: pick(
        [
          '[a](b.md)',
          '[`c()`](c.md#x)',
          '[ref][]',
          '[`Ref`][]',
          '[text][ref]',
          '[Ref]',
          '[x_y](z.md)',
          '[`!=` op][ref]',
          '[two\nlines][ref]',
          '[u](https://u.org/x)',
          '[`a[0]`][ref]',
          '[`*`][]',
        ],
        [
          '[undef][]',
          '[Ref] (y)',
          '[ref](a b)',
          '![i](i.png)',
          '[https://u.org](https://u.org)',
          '[a!](x.md)',
        ],
      ),
    },
    {
      weight: clean ? 0 : 1,
      arbitrary: fc.constantFrom('&amp;', '<b>', 'https://x.org', 'a\\*b', '~~s~~', 'me@x.org'),
    },
  );
  const sep = pick([' ', ' ', ' ', '\n', ', ', '\\\n'], ['  \n', ' \n', '\\|', '\\&']);
  const inline = fc.array(fc.tuple(span, sep), { minLength: 1, maxLength: 6 }).map((parts) =>
    parts
      .map(([s, p]) => s + p)
      .join('')
      .trim(),
  );
  const oneLine = inline.map((t) => t.replace(/\n/g, ' '));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), oneLine).map(([d, t]) => `${'#'.repeat(d)} ${t}`),
    },
    { weight: 5, arbitrary: inline },
    {
      weight: 2,
      arbitrary: inline.map((t) =>
        t
          .split('\n')
          .map((l) => `> ${l}`)
          .join('\n'),
      ),
    },
    {
      weight: clean ? 0 : 1,
      arbitrary: fc.constantFrom('> a\nlazy', '>\n> b', '> - item', '> > nested', '> # h'),
    },
    {
      weight: 2,
      arbitrary: pick(
        [
          '<!-- YAML\nadded: v1\n-->',
          '<!--introduced_in=v1-->',
          '<!---->',
          '<a id="x"></a>',
          '<i id=\'y\'></i><i id="z"></i>',
        ],
        ['<!-- c --> text', '<!-->', '<div>\nx\n</div>'],
      ),
    },
    {
      weight: clean ? 0 : 2,
      arbitrary: fc.constantFrom('[ref]: r.md', '[text]: t.md', '[ref]: r.md "title"', '[ref]: <r.md>'),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(pick(['- ', '* ', '1. ', '2. ', '  - '], ['-  ', '+ ']), oneLine), {
          minLength: 1,
          maxLength: 4,
        })
        .map((items) => items.map(([b, t]) => b + t).join('\n')),
    },
    { weight: 1, arbitrary: inline.map((t) => `\`\`\`js\n# ${t}\n\`\`\``) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          oneLine,
          oneLine,
          fc.constantFrom('- ', '1. ', '10. '),
          fc.constantFrom('\n\n', '\n\n\n', '\n'),
          fc.constantFrom('', '\n\n- d', '\n  - n'),
        )
        .map(
          ([a, b, bullet, gap, tail]) =>
            `${bullet}${a}${gap}${' '.repeat(bullet.length)}${b}\n${bullet}c${tail.replace('  ', ' '.repeat(bullet.length))}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(oneLine, oneLine).map(([a, b]) => `| A | B |\n| --- | --- |\n| ${a} | ${b} |`),
    },
  );
}

const DEFS = '[ref]: r.md\n[`ref`]: r.md#x\n[`*`]: star.md\n';
const documentOf = (clean: boolean) =>
  fc
    .tuple(
      fc.array(fc.tuple(pieces(clean), fc.constantFrom('\n', '\n\n', '\n\n', '\n\n\n')), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.boolean(),
    )
    .map(([parts, defs]) => parts.map(([b, g]) => b + g).join('') + (defs ? `\n${DEFS}` : ''));
const document = fc.oneof(documentOf(true), documentOf(false));

describe('simpleMarkdownBlocks (property)', () => {
  it("gives marked's split, or refuses", () => {
    let read = 0;
    fc.assert(
      fc.property(document, (markdown) => {
        const doc = { id: 'd', path: 'd.md', markdown };
        if (!simpleMarkdownBlocks(markdown)) return;
        read++;
        expect(splitter.split(doc)).toEqual(splitter.splitWithMarked(doc));
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: the generator makes documents the scanner reads.
    expect(read).toBeGreaterThan(150);
  });
});
