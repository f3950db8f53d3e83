export interface Page {
  readonly text: string;
  readonly offset: number;
  /** Where the next page starts, or null when this page reaches the end. */
  readonly nextOffset: number | null;
  readonly totalChars: number;
}

/**
 * One page of a long text. Pages end on a line break when one is near the limit, so Markdown
 * blocks are split between lines rather than inside words.
 */
export function pageText(text: string, offset: number, maxChars: number): Page {
  const start = Math.min(Math.max(0, offset), text.length);
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) {
    // end - 1: the page may end with a newline, but a newline at `end` itself would overflow by one.
    const newline = text.lastIndexOf('\n', end - 1);
    if (newline > start + maxChars * 0.6) end = newline + 1;
  }
  return {
    text: text.slice(start, end),
    offset: start,
    nextOffset: end < text.length ? end : null,
    totalChars: text.length,
  };
}
