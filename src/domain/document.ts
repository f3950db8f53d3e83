/** A document as a DocSource delivers it: Markdown plus where it came from. */
export interface SourceDocument {
  /** Stable id, unique within the source: a relative path without extension or a permalink path. */
  readonly id: string;
  /** Title from front matter or the index; undefined lets the splitter use the first heading. */
  readonly title?: string;
  /** Where a human reads it (permalink), if the source knows one. */
  readonly url?: string;
  /** Relative path or permalink shown to clients as provenance. */
  readonly path: string;
  readonly markdown: string;
}

/** A slice of a document from one heading to the next heading of any level. */
export interface Section {
  /** `${docId}#${anchor}`; the first section before any heading has the bare doc id + '#'. */
  readonly id: string;
  readonly docId: string;
  readonly docTitle: string;
  /** Own heading text (plain), '' for the preamble. */
  readonly heading: string;
  /** Headings from the document's top down to this one (plain text). */
  readonly headingPath: readonly string[];
  readonly level: number;
  readonly anchor: string;
  /** Markdown of the section, heading line included. */
  readonly markdown: string;
  /** Plain text used for indexing and snippets. */
  readonly plain: string;
  /**
   * The first paragraphs of prose (plain text, paragraphs separated by a blank line): in API
   * references the definition of the heading's name, which questions paraphrase.
   */
  readonly lead: string;
  readonly url: string;
  readonly order: number;
}

export interface IndexedDocument {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly url: string;
  readonly markdown: string;
  readonly sections: readonly Section[];
}

/** A link in a section's prose: its target as written and the sentence that contains it. */
export interface Link {
  readonly href: string;
  /** The sentence around the link, link text included (plain text, at most a few hundred chars). */
  readonly context: string;
}

/** A link and the id of the section it is in. */
export interface SectionLink extends Link {
  readonly from: string;
}

/** A document split into sections, with the links in its prose (anchor text for their targets). */
export interface SplitDocument {
  readonly document: IndexedDocument;
  readonly links: readonly SectionLink[];
}
