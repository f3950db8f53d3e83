import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import { buildVocabulary, generateDoc } from '../../scripts/gen-corpus.mjs';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { simpleMarkdownBlocks } from '../../src/adapters/marked/simple-markdown-blocks.js';
import type { SourceDocument } from '../../src/domain/document.js';
import { NO_NODE_DOCS_REASON, NODE_DOCS } from '../harness/corpus.mjs';

/**
 * The splitter's shortcut (the simple scanner, marked where it refuses) against marked alone, on
 * whole corpora: every section (Markdown, plain text, heading path, lead, anchor) and every link
 * with its context must be the same. scripts/check-splitter.mjs is the same check for any folder.
 */
const splitter = new MarkedSectionSplitter();

function toSource(path: string, text: string): SourceDocument {
  const parsed = matter(text, {});
  const title = typeof parsed.data.title === 'string' ? parsed.data.title : undefined;
  return { id: path.replace(/\.md$/, ''), path, markdown: parsed.content, ...(title ? { title } : {}) };
}

/** The documents whose split differs from marked's (with the first differing field), and how many the scanner read. */
function compare(docs: readonly SourceDocument[]): { differ: string[]; scanned: number } {
  const differ: string[] = [];
  let scanned = 0;
  for (const doc of docs) {
    // A document the scanner refuses goes to marked: the same code as splitWithMarked.
    if (!simpleMarkdownBlocks(doc.markdown)) continue;
    scanned++;
    const got = splitter.split(doc);
    const want = splitter.splitWithMarked(doc);
    if (!isDeepStrictEqual(got, want)) {
      const k = want.document.sections.findIndex((s, i) => !isDeepStrictEqual(s, got.document.sections[i]));
      const a = got.document.sections[k] as unknown as Record<string, unknown> | undefined;
      const b = want.document.sections[k] as unknown as Record<string, unknown> | undefined;
      const field = a && b ? Object.keys(b).find((f) => !isDeepStrictEqual(a[f], b[f])) : undefined;
      differ.push(`${doc.path}: ${field ? `section ${b?.id} ${field}` : 'links or section count'}`);
    }
  }
  return { differ, scanned };
}

describe('MarkedSectionSplitter: simple scanner + marked vs marked alone', () => {
  it.skipIf(!NODE_DOCS)(
    `splits the Node.js API docs as marked does${NODE_DOCS ? '' : ` (${NO_NODE_DOCS_REASON})`}`,
    () => {
      const dir = NODE_DOCS as string;
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .sort();
      const { differ, scanned } = compare(files.map((f) => toSource(f, readFileSync(join(dir, f), 'utf8'))));
      expect(differ).toEqual([]);
      // Not a vacuous comparison: the scanner reads some of them itself.
      expect(scanned).toBeGreaterThan(0);
    },
  );

  it('splits a generated API-docs-like corpus as marked does', () => {
    const vocab = buildVocabulary(1);
    const docs = Array.from({ length: 300 }, (_, i) => toSource(`g/${i}.md`, generateDoc(1, vocab, i).text));
    const { differ, scanned } = compare(docs);
    expect(differ).toEqual([]);
    expect(scanned).toBeGreaterThan(docs.length / 2);
  });
});
