// Bundles the CLI into dist/bin/certdocs.js. Loading one file instead of ~1,000 modules is most of
// certdocs' start-up time (see docs/benchmarks.md); dynamic imports (acme-client, the MCP stack)
// stay separate chunks, so a start that does not need them does not load them.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What a first ACME order would load and never use, left out of its path (docs/benchmarks.md,
 * "Cold and warm start"):
 * - acme-client's own files require `./crypto`, which loads @peculiar/x509 and asn1js (~0.7 MB,
 *   tens of ms to evaluate) for two small functions: they get src/adapters/acme-client/light-crypto.ts
 *   instead (the full module still loads where it is needed: loadAcmeCrypto()).
 * - axios evaluates two things at load that touch Node's lazy fetch globals (`Request`,
 *   `FormData`) and so load undici (~20-40 ms) although acme-client only uses its http adapter:
 *   a warm-up of its fetch adapter (made on first use anyway) and a FormData constructor lookup
 *   (taken only when the global is already loaded; FormData objects are still recognised by their
 *   tag). Each patch must match exactly once, or the build fails: a new axios needs a look.
 * - axios' node build requires the form-data package (with mime-db, ~0.2 MB) for multipart
 *   bodies; without it axios uses Node's own FormData class there. acme-client sends JSON.
 */
const startupPatches = {
  name: 'certdocs-startup-patches',
  setup(b) {
    b.onResolve({ filter: /^\.\/crypto$/ }, (args) =>
      /[\\/]acme-client[\\/]src[\\/][^\\/]+\.js$/.test(args.importer)
        ? { path: join(ROOT, 'src/adapters/acme-client/light-crypto.ts') }
        : undefined,
    );
    b.onResolve({ filter: /^form-data$/ }, (args) =>
      /[\\/]axios[\\/]dist[\\/]node[\\/]axios\.cjs$/.test(args.importer)
        ? { path: 'form-data', namespace: 'certdocs-absent' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'certdocs-absent' }, () => ({
      contents: 'module.exports = undefined;',
      loader: 'js',
    }));
    b.onLoad({ filter: /[\\/]axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      const patch = (from, to) => {
        const at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0)
          throw new Error(`bundle: axios patch does not apply (${JSON.stringify(from)}) in ${args.path}`);
        text = text.replace(from, to);
      };
      patch('\ngetFetch();\n', '\n');
      patch(
        "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
        "const FormDataCtor = (d => d && 'value' in d ? d.value : undefined)(Object.getOwnPropertyDescriptor(G, 'FormData'));",
      );
      return { contents: text, loader: 'js' };
    });
  },
};

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
  plugins: [startupPatches],
  // Bundled CommonJS packages call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __certdocsRequire } from 'node:module'; const require = __certdocsRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
