import type { IndexedDocument, SectionLink } from './document.js';
import { slugify } from './slug.js';

/**
 * Anchor text: what the rest of a corpus says about a section when it links to it. API references
 * cross-link heavily ("the API is based on the Web API [`AbortController`][]"), and the sentence
 * around a link describes its target in other words than the target's own, the words a question
 * may use. Returns the distinct contexts of the links to each section, at most `max` per section
 * (hub sections such as `Class: Buffer` are linked hundreds of times), in corpus order.
 *
 * Targets are resolved like a browser would: `#anchor` in the same document, `other.md#anchor`
 * relative to the linking document, `/dir/other.md` from the corpus root; `.md`/`.html`
 * extensions and trailing slashes are ignored. Dropped: links to a whole document (no anchor;
 * they gather generic sentences about a module and cost dev MRR), external links (`https:`,
 * `mailto:`), unknown targets, and links from a section to itself.
 */
export function anchorTexts(
  docs: readonly IndexedDocument[],
  links: readonly SectionLink[],
  max: number,
  /**
   * The sections' ids, if the caller has them (DocIndex does): at 50k documents a Set of 313k
   * ids made again here was ~0.2 s.
   */
  sections?: { has(id: string): boolean },
): Map<string, string[]> {
  const byKey = new Map<string, IndexedDocument>();
  const byId = new Map<string, IndexedDocument>();
  const own = sections ? undefined : new Set<string>();
  for (const d of docs) {
    byId.set(d.id, d);
    byKey.set(docKey(d.path), d);
    if (!byKey.has(docKey(d.id))) byKey.set(docKey(d.id), d);
    if (own) for (const s of d.sections) own.add(s.id);
  }
  const sectionIds = sections ?? (own as Set<string>);
  const out = new Map<string, string[]>();
  for (const link of links) {
    const fromDoc = byId.get(link.from.slice(0, link.from.indexOf('#')));
    if (!fromDoc) continue;
    const target = resolve(link.href, fromDoc, byKey, sectionIds);
    if (!target || target === link.from) continue;
    const contexts = out.get(target) ?? [];
    if (contexts.length >= max || contexts.includes(link.context)) continue;
    contexts.push(link.context);
    out.set(target, contexts);
  }
  return out;
}

const SCHEME = /^[a-z][a-z\d+.-]*:|^\/\//i;
const EXTENSION = /\.(md|mdx|markdown|html?)$/i;

function resolve(
  href: string,
  from: IndexedDocument,
  byKey: ReadonlyMap<string, IndexedDocument>,
  sectionIds: { has(id: string): boolean },
): string | undefined {
  if (SCHEME.test(href)) return undefined;
  const hash = href.indexOf('#');
  const path = (hash < 0 ? href : href.slice(0, hash)).replace(/\?.*$/, '');
  const anchor = hash < 0 ? '' : decode(href.slice(hash + 1));
  let doc: IndexedDocument | undefined = from;
  if (path) {
    const joined = path.startsWith('/')
      ? path
      : `${from.path.slice(0, from.path.lastIndexOf('/') + 1)}${path}`;
    doc = byKey.get(docKey(joined));
  }
  if (!doc) return undefined;
  if (!anchor) return undefined;
  // `name_1`: how Node.js's doc tooling numbers a repeated heading (ours: `name-1`).
  for (const a of [anchor, slugify(anchor), anchor.replace(/_(\d+)$/, '-$1')])
    if (sectionIds.has(`${doc.id}#${a}`)) return `${doc.id}#${a}`;
  return undefined;
}

/** A path without `.`/`..` segments, leading or trailing slashes, or a Markdown/HTML extension. */
function docKey(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return parts.join('/').replace(EXTENSION, '');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
