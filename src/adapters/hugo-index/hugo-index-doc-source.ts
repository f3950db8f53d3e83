import { readFile } from 'node:fs/promises';
import type { SourceDocument } from '../../domain/document.js';
import { DocSourceError } from '../../domain/errors.js';
import type { DocSource } from '../../ports/doc-source.js';
import type { Logger } from '../../ports/logger.js';
import { debouncedWatch } from '../filesystem/debounced-watch.js';
import { parseHugoIndex } from './parse-hugo-index.js';

const MAX_PROBLEMS_SHOWN = 5;

/**
 * The original server's format: one Hugo `index.json`, from a file path or an http(s) URL.
 * URLs are re-fetched conditionally (ETag / Last-Modified): an unchanged index costs a 304.
 */
export class HugoIndexDocSource implements DocSource {
  readonly description: string;
  readonly remote: boolean;
  private validators: { etag?: string; lastModified?: string } = {};
  private cached: SourceDocument[] | undefined;

  constructor(
    private readonly location: string,
    private readonly logger?: Logger,
    private readonly fetchTimeoutMs = 30_000,
  ) {
    this.description = location;
    this.remote = /^https?:\/\//i.test(location);
  }

  async load(): Promise<SourceDocument[]> {
    const text = this.remote ? await this.download() : await this.readLocal();
    if (text === undefined && this.cached) return this.cached;
    const { docs, problems } = parseHugoIndex(text ?? '');
    if (problems.length) {
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
      const more =
        problems.length > MAX_PROBLEMS_SHOWN ? ` (and ${problems.length - MAX_PROBLEMS_SHOWN} more)` : '';
      throw new DocSourceError(this.location, `malformed index: ${shown}${more}`);
    }
    this.cached = docs;
    return docs;
  }

  watch(onChange: () => void): () => void {
    if (this.remote) return () => undefined;
    return debouncedWatch(this.location, false, onChange, (e) =>
      this.logger?.warn('cannot watch the index file; changes need a restart', { error: e.message }),
    );
  }

  private async readLocal(): Promise<string> {
    try {
      return await readFile(this.location, 'utf8');
    } catch (e) {
      throw new DocSourceError(
        this.location,
        `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }

  /** The body, or undefined when the server says it has not changed (304). */
  private async download(): Promise<string | undefined> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cached && this.validators.etag) headers['if-none-match'] = this.validators.etag;
    if (this.cached && this.validators.lastModified)
      headers['if-modified-since'] = this.validators.lastModified;
    let res: Response;
    try {
      res = await fetch(this.location, { headers, signal: AbortSignal.timeout(this.fetchTimeoutMs) });
    } catch (e) {
      throw new DocSourceError(this.location, `download failed (${(e as Error).message})`);
    }
    if (!res.ok) {
      // Unread, the body would hold the connection (and its buffers) until garbage collection.
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 304 && this.cached) return undefined;
      throw new DocSourceError(this.location, `download failed with HTTP ${res.status}`);
    }
    const text = await res.text();
    this.validators = {
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
    };
    return text;
  }
}
