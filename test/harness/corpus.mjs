// @ts-check
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './certdocs.mjs';

/** Where the Node.js API docs may be: Debian's nodejs-doc package, or a copy in .cache/. */
export const CORPORA = ['/usr/share/doc/nodejs/api', join(ROOT, '.cache', 'nodejs-api')];

/**
 * The Node.js API docs as a real corpus, or undefined when neither place has them.
 * @type {string | undefined}
 */
export const NODE_DOCS = CORPORA.find((dir) => existsSync(join(dir, 'fs.md')));

export const NO_NODE_DOCS_REASON =
  'Node.js API docs not found: run scripts/install-test-deps.sh (it unpacks nodejs-doc into .cache without installing it) or put the *.md files in .cache/nodejs-api';
