#!/usr/bin/env node
// Entry point. Kept to what a server needs before its first answer: the CLI parses the options,
// the composition root opens HTTPS from a stored certificate, and only then loads the rest
// (reflect-metadata first, before tsyringe and the use-cases: see loadGraph in container.ts).
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of each module on disk (NODE_COMPILE_CACHE, else a
// directory under the OS temp dir), so a restart skips compiling the bundle. Node 20 has no such
// cache: there this is a no-op. Called before cli.js is imported, so every chunk is cached.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

await import('./cli.js');
