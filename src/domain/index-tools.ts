import { inject, injectable } from 'tsyringe';
import { SEARCH_ENGINE, type SearchEngine } from '../ports/search-engine.js';
import { SECTION_SPLITTER, type SectionSplitter } from '../ports/section-splitter.js';
import { STEMMER, type Stemmer } from '../ports/stemmer.js';
import { analysisProbe } from './index-snapshot.js';
import { TextAnalysis } from './text-analysis.js';

/**
 * What a DocIndex is made with: the splitter that turns Markdown into sections, the text analysis
 * (with its stemmer) that turns words into terms, and the engine that indexes and scores them.
 * One object, so that ServeDocs, DocIndex.buildAsync and DocIndex.restore take one argument
 * instead of three.
 */
@injectable()
export class IndexTools {
  readonly analysis: TextAnalysis;
  private probe: string | undefined;

  constructor(
    @inject(SECTION_SPLITTER) readonly splitter: SectionSplitter,
    @inject(STEMMER) stemmer: Stemmer,
    @inject(SEARCH_ENGINE) readonly engine: SearchEngine,
  ) {
    this.analysis = new TextAnalysis(stemmer);
  }

  /** How these tools analyze and split a fixed sample (see analysisProbe); computed once. */
  analysisProbe(): string {
    this.probe ??= analysisProbe(this.analysis, this.splitter);
    return this.probe;
  }
}
