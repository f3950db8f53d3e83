#!/usr/bin/env node
// House rules that are not about imports (those are .dependency-cruiser.cjs), checked in CI as
// part of `npm run layers`: DI tokens live in src/ports; argv and the environment are read in
// src/app/cli.ts alone; only the composition root talks to the container; every port has a
// contract suite. Prints each breach with its file and line, and exits 1 if there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

for (const b of breaches) console.error(b);
console.log(
  breaches.length
    ? `house: ${breaches.length} breach(es)`
    : `house: ok (${rules.length} rules, every port has a contract suite)`,
);
process.exit(breaches.length ? 1 : 0);
