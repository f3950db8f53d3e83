#!/usr/bin/env node
// Fills Node's compile cache (Node >= 22.1, NODE_COMPILE_CACHE) with every chunk of the bundle, so
// a container's first start does not compile them: the image runs this once at build time.
//   NODE_COMPILE_CACHE=DIR node scripts/warm-compile-cache.mjs [dist/bin]
// The entry (certdocs.js) and the CLI chunk run certdocs when evaluated: they are compiled by a
// `--help` run instead. Chunks are only evaluated, nothing listens or reads the environment.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import module from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? 'dist/bin');
if (!module.enableCompileCache) {
  process.stdout.write(`warm-compile-cache: Node ${process.version} has no compile cache; nothing to do\n`);
  process.exit(0);
}
module.enableCompileCache();
const entry = join(dir, 'certdocs.js');
execFileSync(process.execPath, [entry, '--help'], { stdio: 'ignore' });
let n = 0;
for (const file of readdirSync(dir).sort()) {
  if (!file.endsWith('.js') || file === 'certdocs.js' || file.startsWith('cli-')) continue;
  await import(pathToFileURL(join(dir, file)).href);
  n++;
}
module.flushCompileCache?.();
process.stdout.write(
  `warm-compile-cache: ${n} chunks and the entry compiled into ${module.getCompileCacheDir?.()}\n`,
);
