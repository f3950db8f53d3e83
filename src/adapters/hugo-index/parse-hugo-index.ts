import type { SourceDocument } from '../../domain/document.js';

/**
 * Parses a Hugo-style `index.json`: an array of `{title, permalink, contents}` with Markdown in
 * `contents`. Returns every problem at once, each naming the entry, so a broken site build is easy to fix.
 */
export function parseHugoIndex(text: string): { docs: SourceDocument[]; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { docs: [], problems: [`not valid JSON (${(e as Error).message})`] };
  }
  if (!Array.isArray(data))
    return { docs: [], problems: ['expected a JSON array of {title, permalink, contents}'] };
  const docs: SourceDocument[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  data.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`entry ${i}: not an object`);
      return;
    }
    const { title, permalink, contents } = entry as Record<string, unknown>;
    if (typeof contents !== 'string') {
      problems.push(`entry ${i}: "contents" must be a string of Markdown`);
      return;
    }
    if (permalink !== undefined && typeof permalink !== 'string') {
      problems.push(`entry ${i}: "permalink" must be a string`);
      return;
    }
    const path = permalink ? permalinkPath(permalink) : '';
    let id = path || `entry-${i}`;
    if (ids.has(id)) id = `${id}~${i}`;
    ids.add(id);
    docs.push({
      id,
      title: typeof title === 'string' && title.trim() ? title : undefined,
      url: permalink || undefined,
      path: permalink || `entry ${i}`,
      markdown: contents,
    });
  });
  if (docs.length === 0 && problems.length === 0) problems.push('the index is an empty array');
  return { docs, problems };
}

function permalinkPath(permalink: string): string {
  let p = permalink;
  try {
    p = new URL(permalink, 'http://x').pathname;
  } catch {
    // keep as given
  }
  return p.replace(/^\/+|\/+$/g, '') || 'index';
}
