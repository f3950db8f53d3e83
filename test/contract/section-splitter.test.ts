import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { LineSectionSplitter } from '../fakes/line-section-splitter.js';
import { runSectionSplitterContract } from './section-splitter.contract.js';

runSectionSplitterContract('LineSectionSplitter', () => new LineSectionSplitter());
runSectionSplitterContract('MarkedSectionSplitter', () => new MarkedSectionSplitter());
