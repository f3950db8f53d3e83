import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { LineSectionSplitter } from '../fakes/line-section-splitter.js';
import { runSectionSplitterContract } from './section-splitter.contract.js';

runSectionSplitterContract('LineSectionSplitter', () => new LineSectionSplitter());
runSectionSplitterContract('MarkedSectionSplitter', () => new MarkedSectionSplitter());
// The same adapter with its simple scanner off: what it falls back to on Markdown the scanner refuses.
runSectionSplitterContract('MarkedSectionSplitter (marked alone)', () => {
  const marked = new MarkedSectionSplitter();
  return { split: (document) => marked.splitWithMarked(document) };
});
