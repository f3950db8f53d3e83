import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import matter from 'gray-matter';
import type { SourceDocument } from '../../domain/document.js';
import { DocSourceError } from '../../domain/errors.js';
import type { DocSource } from '../../ports/doc-source.js';
import type { Logger } from '../../ports/logger.js';
import { debouncedWatch } from './debounced-watch.js';

const MARKDOWN = /\.(md|mdx|markdown)$/i;

/** A folder of Markdown, read recursively. Ids are relative paths without extension. */
export class FsMarkdownDocSource implements DocSource {
  readonly description: string;
  readonly remote = false;

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {
    this.description = `dir:${root}`;
  }

  async load(): Promise<SourceDocument[]> {
    const root = await this.realRoot();
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && MARKDOWN.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter(
        (p) =>
          !relative(root, p)
            .split(sep)
            .some((part) => part.startsWith('.') || part === 'node_modules'),
      )
      .sort();
    if (files.length === 0)
      throw new DocSourceError(this.root, 'the directory contains no .md or .mdx files');
    const docs: SourceDocument[] = [];
    for (const file of files) {
      let real: string;
      let text: string;
      try {
        real = await realpath(file);
        // A symlink must not smuggle a file from outside the docs folder into the corpus.
        if (relative(root, real).startsWith('..')) {
          this.logger.warn('skipping symlink that leaves the docs folder', { file });
          continue;
        }
        text = await readFile(real, 'utf8');
      } catch (e) {
        // One dangling symlink or unreadable file must not take the whole corpus down.
        this.logger.warn('skipping unreadable file', { file, error: (e as NodeJS.ErrnoException).code ?? e });
        continue;
      }
      const rel = relative(root, file).split(sep).join('/');
      docs.push(this.parse(rel, text));
    }
    return docs;
  }

  watch(onChange: () => void): () => void {
    return debouncedWatch(this.root, true, onChange, (e) =>
      this.logger.warn('cannot watch the docs folder; changes need a restart', { error: e.message }),
    );
  }

  private parse(rel: string, text: string): SourceDocument {
    const id = rel.replace(MARKDOWN, '');
    try {
      const parsed = matter(text);
      const title = typeof parsed.data.title === 'string' ? parsed.data.title : undefined;
      return { id, path: rel, title, markdown: parsed.content };
    } catch (e) {
      this.logger.warn('front matter is malformed; indexing the file without it', {
        file: rel,
        error: (e as Error).message,
      });
      return { id, path: rel, markdown: text };
    }
  }

  private async realRoot(): Promise<string> {
    try {
      const s = await stat(this.root);
      if (!s.isDirectory()) throw new DocSourceError(this.root, 'not a directory');
      return await realpath(this.root);
    } catch (e) {
      if (e instanceof DocSourceError) throw e;
      throw new DocSourceError(
        this.root,
        `cannot read the directory (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
}
