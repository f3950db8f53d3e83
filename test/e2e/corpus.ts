import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const CANDIDATES = ['/usr/share/doc/nodejs/api', resolve('.cache/nodejs-api')];

/** The Node.js API docs as a real corpus: Debian's nodejs-doc package, or a copy in .cache/. */
export const NODE_DOCS: string | undefined = CANDIDATES.find((dir) => existsSync(resolve(dir, 'fs.md')));

export const NO_NODE_DOCS_REASON =
  'Node.js API docs not found: run scripts/install-test-deps.sh (it unpacks nodejs-doc into .cache without installing it) or put the *.md files in .cache/nodejs-api';
