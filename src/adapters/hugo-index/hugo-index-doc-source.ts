import { readFile } from 'node:fs/promises';
import type { SourceDocument } from '../../domain/document.js';
import { DocSourceError } from '../../domain/errors.js';
import type { DocSource } from '../../ports/doc-source.js';
import { parseHugoIndex } from './parse-hugo-index.js';

const MAX_PROBLEMS_SHOWN = 5;

/** The original server's format: one Hugo `index.json`, from a file path or an http(s) URL. */
export class HugoIndexDocSource implements DocSource {
  readonly description: string;

  constructor(
    private readonly location: string,
    private readonly fetchTimeoutMs = 30_000,
  ) {
    this.description = location;
  }

  async load(): Promise<SourceDocument[]> {
    const text = /^https?:\/\//i.test(this.location) ? await this.download() : await this.readLocal();
    const { docs, problems } = parseHugoIndex(text);
    if (problems.length) {
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
      const more =
        problems.length > MAX_PROBLEMS_SHOWN ? ` (and ${problems.length - MAX_PROBLEMS_SHOWN} more)` : '';
      throw new DocSourceError(this.location, `malformed index: ${shown}${more}`);
    }
    return docs;
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

  private async download(): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.location, { signal: AbortSignal.timeout(this.fetchTimeoutMs) });
    } catch (e) {
      throw new DocSourceError(this.location, `download failed (${(e as Error).message})`);
    }
    if (!res.ok) throw new DocSourceError(this.location, `download failed with HTTP ${res.status}`);
    return res.text();
  }
}
