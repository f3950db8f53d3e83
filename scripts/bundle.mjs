// Bundles the CLI into dist/bin/certdocs.js. Loading one file instead of ~1,000 modules is most of
// certdocs' start-up time (see docs/benchmarks.md); dynamic imports (acme-client, the MCP stack)
// stay separate chunks, so a start that does not need them does not load them.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { certdocs: 'src/app/main.ts' },
  outdir: 'dist/bin',
  // Chunks sit beside the entry, two levels below the package root like dist/app/*.js (paths to
  // package.json and the bundled docs are resolved from there).
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  tsconfig: 'tsconfig.json',
  // Bundled CommonJS packages call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __certdocsRequire } from 'node:module'; const require = __certdocsRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
