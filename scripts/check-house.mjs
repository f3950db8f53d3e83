#!/usr/bin/env node
// House rules that are not about imports (those are .dependency-cruiser.cjs), checked in CI as
// part of `npm run layers`: DI tokens live in src/ports; argv and the environment are read in
// src/app/cli.ts alone; only the composition root talks to the container; every port has a
// contract suite; the early path (what cli.ts loads statically, before the first answer) never
// loads tsyringe or reflect-metadata. Prints each breach with its file and line, and exits 1 if
// there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const files = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)));

const rules = [
  {
    what: 'DI tokens (Symbols) are declared in src/ports only',
    pattern: /\bSymbol(\.for)?\(/,
    allowed: (f) => f.startsWith('src/ports/'),
  },
  {
    what: 'argv and the environment are read in src/app/cli.ts only',
    pattern: /\bprocess\.(argv|env)\b/,
    allowed: (f) => f === 'src/app/cli.ts',
  },
  {
    what: 'only the composition root (src/app/container.ts) uses the container; use-cases import @inject/@injectable alone',
    pattern: /from 'tsyringe'/,
    allowed: (f, line) =>
      f === 'src/app/container.ts' ||
      (f.startsWith('src/domain/') &&
        /^import \{ (inject, )?injectable \} from 'tsyringe';$/.test(line.trim())),
  },
];

const breaches = [];
for (const file of files('src')) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may mention them
    for (const rule of rules) {
      if (rule.pattern.test(line) && !rule.allowed(file, line))
        breaches.push(`${file}:${i + 1}: ${rule.what}`);
    }
  });
}
for (const port of readdirSync(join(root, 'src/ports')).filter((f) => f.endsWith('.ts'))) {
  const suite = `test/contract/${port.replace(/\.ts$/, '.contract.ts')}`;
  if (!existsSync(join(root, suite))) breaches.push(`src/ports/${port}: has no contract suite (${suite})`);
}

// The early path: the modules cli.ts loads statically (main.ts imports it first thing). The
// composition root loads tsyringe, reflect-metadata and the use-cases with dynamic imports once
// HTTPS is open; a static import of a module that imports tsyringe would load it before
// reflect-metadata and crash the built server at start.
const EARLY_ENTRY = 'src/app/cli.ts';
const FORBIDDEN_EARLY = new Set(['tsyringe', 'reflect-metadata']);
function staticImports(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const found = [];
  const statement = /^(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s+'([^']+)'|^import\s+'([^']+)'/gms;
  for (const m of text.matchAll(statement)) {
    const names = m[1]?.match(/^\{([^}]*)\}$/)?.[1];
    if (names?.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
    found.push(m[2] ?? m[3]);
  }
  return found;
}
const early = new Map([[EARLY_ENTRY, null]]);
for (const file of early.keys()) {
  for (const spec of staticImports(file)) {
    const chain = () => {
      const path = [file];
      for (let f = early.get(file); f; f = early.get(f)) path.unshift(f);
      return path.join(' -> ');
    };
    if (FORBIDDEN_EARLY.has(spec))
      breaches.push(`${chain()}: loads ${spec} on the early path (import it dynamically)`);
    if (!spec.startsWith('.')) continue;
    const target = relative(root, join(root, dirname(file), spec)).replace(/\.js$/, '.ts');
    if (existsSync(join(root, target)) && !early.has(target)) early.set(target, file);
  }
}

for (const b of breaches) console.error(b);
console.log(
  breaches.length
    ? `house: ${breaches.length} breach(es)`
    : `house: ok (${rules.length} rules, every port has a contract suite, the early path (${early.size} modules) loads no tsyringe)`,
);
process.exit(breaches.length ? 1 : 0);
