/**
 * GitHub-style heading slug, so anchors match what rendered docs use. The domain's, not the
 * splitter's: anchor text resolves links (`#fs-readfile`) with the same rule.
 */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
