#!/usr/bin/env node
// Deterministic synthetic Markdown corpus for scale benchmarks (see scripts/bench-scale.mjs).
//
//   node scripts/gen-corpus.mjs --docs N [--out DIR=.cache/corpora/<N>] [--seed S=1] [--force]
//
// Realistic API-docs-like Markdown: YAML front matter (title, tags), h1..h4 headings (some of them
// identifiers such as `cacheStore.readEntrySync(key[, options])`), paragraphs drawn from a Zipf-
// distributed vocabulary of ~3,000 words plus identifiers (camelCase, PascalCase, snake_case,
// CONSTANTS, dotted API names, --flags), fenced code (whose `#` comment lines are not headings),
// nested lists and tables. ~5 KB per document on average (log-normal, 0.8–40 KB), 100 documents
// per folder in two levels: gNN/fNNNN/<slug>-NNNNNN.md.
//
// Deterministic: a seeded PRNG (sfc32), never Math.random. Document i depends only on (seed, i),
// so the 1k corpus is the first 1k documents of the 10k one. Idempotent: DIR/.corpus.json records
// the parameters; a run with the same ones does nothing. The dot-files (.corpus.json, .vocab.json:
// the vocabulary and identifiers bench-scale draws queries from) are skipped by the doc source.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR_VERSION = 1;
const DOCS_PER_FOLDER = 100;
const FOLDERS_PER_GROUP = 100;

// ---------------------------------------------------------------- PRNG
/** 32-bit string hash → seeds (xmur3). */
function hashSeed(str) {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) {
    h = Math.imul(h ^ str.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
}
/** sfc32: fast, good-quality 32-bit PRNG; returns a float in [0, 1). */
export function makeRng(key) {
  const s = hashSeed(String(key));
  let a = s();
  let b = s();
  let c = s();
  let d = s();
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    /** Standard normal (Box–Muller). */
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
  return rng;
}

// ---------------------------------------------------------------- vocabulary
const REAL_WORDS = `
access account action active adapter address agent alert algorithm alias allocation anchor
answer api application archive argument array assertion asset async attempt attribute audit
authentication author authority backend backup balance bandwidth banner base batch behavior
binary binding bit block body boolean boot border boundary branch browser buffer bug build
bundle button byte cache calendar callback candidate capacity capture card catalog category
certificate chain change channel character chart check checksum child chunk cipher circuit
class clause client clock clone cluster code codec collection column command comment commit
compiler component compression computation condition configuration conflict connection
console constant constraint consumer container content context contract control controller
conversion cookie coordinate copy core counter credential cursor cycle daemon dashboard data
database datagram date deadline debug decimal declaration decoder default definition delay
delegate delta dependency deployment depth descriptor design destination detail device
diagnostic dialog dictionary digest dimension directive directory disk dispatch display
distribution document domain download draft driver duration element emitter encoder encoding
endpoint engine entity entry environment error event exception execution exit expiry export
expression extension factor failure feature feed field file filter flag float flow folder font
format fragment frame framework function gateway generator gesture grammar graph group guard
handle handler hash header heap helper hierarchy history hook host identifier image
implementation import index input instance instruction integer interface interval inventory
invocation issue item iterator job journal kernel key keyword label language latency layer
layout lease length level library license lifecycle limit line link list listener literal
load locale location lock log loop manager manifest map mapping marker mask match matrix
member memory menu merge message metadata method metric middleware migration mirror mode model
module monitor mount mutation name namespace network node notification number object observer
offset operand operation operator option order origin output owner package packet page pair
panel parameter parent parser partition password patch path pattern payload peer permission
phase pipeline pixel placeholder platform plugin pointer policy pool port position post
predicate prefix preference primitive priority probe process producer profile program project
promise property protocol provider proxy query queue quota range rate reader record recovery
reducer reference region registry release remote renderer replica report repository request
resolver resource response result retry revision role root route router row rule runtime
sample sandbox scalar schedule schema scope screen script secret section segment selector
semaphore sequence serializer server service session setting shard signal signature size
slice snapshot socket source span specification stack stage state statement status storage
store stream string structure style subscriber subscription suffix summary switch symbol
syntax system table tag target task template tenant terminal test thread threshold ticket tier
timeout timer timestamp token tool topic trace transaction transform transport tree trigger
tuple type unit update upload user utility validator value variable vector vendor version
view volume warning watcher widget window worker workflow workspace wrapper zone
accept acquire activate add adjust allocate append apply assign attach authenticate await
bind broadcast buffer calculate call cancel capture change check clear close collect combine
commit compare compile complete compress compute configure connect construct contain convert
copy count create debounce decode decrypt define delete deliver deploy describe destroy detach
detect disable discard dispatch display drain emit enable encode encrypt enqueue ensure enter
evaluate execute expand expire export extract fetch filter find finish flush fork format
generate handle hydrate ignore import include increment initialize insert inspect install
invalidate invoke isolate iterate join keep launch limit list listen load locate lock log
lookup map mark measure merge migrate modify monitor mount move normalize notify observe obtain
open optimize parse pause perform persist pipe poll populate prefetch prepare preserve prevent
print process produce propagate publish pull push query queue read rebuild receive reconnect
record recover reduce refresh register reject release reload remove rename render renew repeat
replace replicate report request reset resolve restart restore resume retain retrieve return
revoke rewrite rollback rotate route run sanitize save scan schedule search select send
serialize serve set shift shutdown sign skip sort spawn split start stop store stream submit
subscribe suspend swap sync terminate throttle throw track transform translate traverse trigger
trim truncate unlink unlock unmount unregister unsubscribe unwrap update upgrade upload
validate verify wait walk watch wrap write yield
absolute abstract accurate active additional advanced aggregate ambiguous anonymous arbitrary
asynchronous atomic automatic available basic blocking bounded canonical cached circular
compatible complete concurrent conditional consistent constant current custom cyclic default
deferred deprecated deterministic direct dirty disabled distinct distributed durable dynamic
eager effective efficient empty encrypted ephemeral equal exclusive existing expensive
experimental explicit external fallback final fixed flat global graceful hidden idempotent
immutable implicit inactive incremental independent inline internal invalid isolated lazy
legacy lightweight linear local logical lossless low maximum minimum missing mutable native
nested nullable numeric optional orphaned outdated parallel partial pending permanent
persistent plain portable private protected public raw readable readonly recursive redundant
relative reliable remote required reserved resilient restricted reusable safe scalable secure
sequential serial shallow shared signed silent simple single sparse stable stale static
strict structured successful synchronous temporary transient transparent trusted unique
unsigned unsupported upstream valid verbose virtual visible volatile weak writable
`
  .trim()
  .split(/\s+/);

const FUNCTION_WORDS =
  'the the the of of and and to to a a in in is is that for it as with be on by this are or from at an which can not if when each use may will has have you your its into than then also only must should more other all any new one two after before while'.split(
    ' ',
  );

const VERBS = [
  'get',
  'set',
  'read',
  'write',
  'create',
  'delete',
  'update',
  'load',
  'save',
  'open',
  'close',
  'parse',
  'format',
  'resolve',
  'fetch',
  'send',
  'receive',
  'register',
  'remove',
  'add',
  'find',
  'list',
  'watch',
  'start',
  'stop',
  'reset',
  'flush',
  'sync',
  'build',
  'render',
  'validate',
  'compute',
  'encode',
  'decode',
  'connect',
  'emit',
  'handle',
  'apply',
  'merge',
  'split',
  'is',
  'has',
];

function capitalize(w) {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** ~2,400 pseudo-words (product names, domain jargon), unique and distinct from the real words. */
function pseudoWords(rng, count, taken) {
  const onsets = [
    'b',
    'c',
    'd',
    'f',
    'g',
    'k',
    'l',
    'm',
    'n',
    'p',
    'r',
    's',
    't',
    'v',
    'z',
    'br',
    'cr',
    'dr',
    'gl',
    'pl',
    'st',
    'tr',
    'sh',
    'th',
    'qu',
  ];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
  const codas = ['', '', '', 'n', 'r', 's', 'l', 'x', 'm', 'nd', 'rt', 'st'];
  const out = [];
  const seen = new Set(taken);
  while (out.length < count) {
    let w = '';
    const syll = rng.int(2, 4);
    for (let i = 0; i < syll; i++)
      w += rng.pick(onsets) + rng.pick(vowels) + (i === syll - 1 ? rng.pick(codas) : '');
    if (w.length < 4 || w.length > 14 || seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

/**
 * Deterministic queries over a corpus's vocabulary (bench-scale, bench-search): 1–5 words (some
 * frequent, most not), a quarter led by an identifier. Each is `{ q, kind }`.
 */
export function makeQueries(vocab, n, key) {
  const rng = makeRng(key);
  const word = () => (rng.chance(0.4) ? vocab.words[rng.int(0, 199)] : rng.pick(vocab.words));
  const out = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.25)) {
      const id = rng.chance(0.6) && vocab.api.length ? rng.pick(vocab.api) : rng.pick(vocab.identifiers);
      const extra = rng.int(0, 2);
      const words = [id];
      for (let k = 0; k < extra; k++) words.push(word());
      out.push({ q: words.join(' '), kind: 'ident' });
    } else {
      const k = rng.int(1, 5);
      const words = [];
      for (let j = 0; j < k; j++) words.push(word());
      out.push({ q: words.join(' '), kind: 'words' });
    }
  }
  return out;
}

/** Vocabulary and shared identifiers: a function of the seed only, not of the corpus size. */
export function buildVocabulary(seed) {
  const rng = makeRng(`vocab:${seed}`);
  const real = [...new Set(REAL_WORDS)];
  const words = [...real, ...pseudoWords(rng, 2400, real)];
  // Zipf rank order: shuffle so real and pseudo words mix, but keep real words a bit more frequent.
  const keyed = words.map((w, i) => ({ w, k: rng.next() + (i < real.length ? -0.35 : 0) }));
  keyed.sort((a, b) => a.k - b.k);
  const ranked = keyed.map((x) => x.w);
  const cumulative = new Float64Array(ranked.length);
  let sum = 0;
  for (let i = 0; i < ranked.length; i++) {
    sum += 1 / (i + 2.7) ** 1.05;
    cumulative[i] = sum;
  }
  for (let i = 0; i < cumulative.length; i++) cumulative[i] /= sum;

  const nouns = real.slice(0, 480);
  const ident = () => {
    const kind = rng.next();
    const noun = () => rng.pick(nouns);
    if (kind < 0.35)
      return (
        rng.pick(VERBS) +
        capitalize(noun()) +
        (rng.chance(0.3) ? capitalize(noun()) : '') +
        (rng.chance(0.1) ? 'Sync' : '')
      );
    if (kind < 0.55)
      return (
        capitalize(noun()) +
        capitalize(noun()) +
        (rng.chance(0.3) ? rng.pick(['Error', 'Options', 'Manager', 'Factory', 'Stream']) : '')
      );
    if (kind < 0.7) return [noun(), noun(), rng.chance(0.5) ? noun() : null].filter(Boolean).join('_');
    if (kind < 0.8) return [noun(), noun(), rng.chance(0.5) ? 'MS' : 'MAX'].join('_').toUpperCase();
    if (kind < 0.9) return `--${noun()}-${noun()}`;
    return `${noun()}.${rng.pick(VERBS)}${capitalize(noun())}`;
  };
  const identSet = new Set();
  while (identSet.size < 1500) identSet.add(ident());
  const identifiers = [...identSet];
  const modules = [];
  const modSet = new Set();
  while (modules.length < 400) {
    const m = rng.chance(0.6) ? rng.pick(nouns) : rng.pick(nouns) + capitalize(rng.pick(nouns));
    if (!modSet.has(m)) {
      modSet.add(m);
      modules.push(m);
    }
  }
  return { words: ranked, cumulative, identifiers, modules, nouns };
}

// ---------------------------------------------------------------- documents
function zipfWord(rng, vocab) {
  const u = rng.next();
  const c = vocab.cumulative;
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return vocab.words[lo];
}

class DocWriter {
  constructor(rng, vocab, api, links) {
    this.rng = rng;
    this.vocab = vocab;
    this.api = api; // identifiers this document defines
    this.links = links;
    this.parts = [];
    this.size = 0;
  }
  push(s) {
    this.parts.push(s);
    this.size += s.length;
  }
  identifier() {
    const { rng } = this;
    return rng.chance(0.5) ? rng.pick(this.api) : rng.pick(this.vocab.identifiers);
  }
  sentence() {
    const { rng, vocab } = this;
    const n = rng.int(6, 20);
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      if (r < 0.38) out.push(rng.pick(FUNCTION_WORDS));
      else if (r < 0.44) out.push(`\`${this.identifier()}\``);
      else if (r < 0.445 && this.links.length)
        out.push(`[${zipfWord(rng, vocab)} ${zipfWord(rng, vocab)}](${rng.pick(this.links)})`);
      else if (r < 0.46) out.push(`**${zipfWord(rng, vocab)}**`);
      else if (r < 0.47) out.push(String(rng.int(0, 65535)));
      else out.push(zipfWord(rng, vocab));
    }
    out[0] = capitalize(out[0]);
    return `${out.join(' ')}${rng.pick(['.', '.', '.', '.', ':', '?'])}`;
  }
  paragraph() {
    const n = this.rng.int(2, 6);
    const s = [];
    for (let i = 0; i < n; i++) s.push(this.sentence());
    this.push(`${s.join(' ')}\n\n`);
  }
  phrase(min, max) {
    const n = this.rng.int(min, max);
    const w = [];
    for (let i = 0; i < n; i++)
      w.push(this.rng.chance(0.25) ? this.rng.pick(FUNCTION_WORDS) : zipfWord(this.rng, this.vocab));
    return w.join(' ');
  }
  list(depth = 0) {
    const { rng } = this;
    const ordered = rng.chance(0.3);
    const n = rng.int(2, 6);
    const indent = '  '.repeat(depth);
    for (let i = 0; i < n; i++) {
      const bullet = ordered ? `${i + 1}.` : '-';
      const lead = rng.chance(0.4) ? `\`${this.identifier()}\`: ` : '';
      this.push(`${indent}${bullet} ${lead}${capitalize(this.phrase(3, 14))}\n`);
      if (depth === 0 && rng.chance(0.12)) this.list(1);
    }
    if (depth === 0) this.push('\n');
  }
  code() {
    const { rng } = this;
    const lang = rng.pick(['js', 'ts', 'bash', 'json', 'js', 'ts']);
    const lines = [];
    const n = rng.int(3, 15);
    for (let i = 0; i < n; i++) {
      const id = this.identifier();
      const w = zipfWord(rng, this.vocab);
      if (lang === 'bash')
        lines.push(
          rng.chance(0.3)
            ? `# ${this.phrase(3, 8)}`
            : `certctl ${w} --${rng.pick(this.vocab.nouns)} ${rng.int(1, 9999)}`,
        );
      else if (lang === 'json') lines.push(`  "${w}": ${rng.chance(0.5) ? rng.int(0, 5000) : `"${id}"`},`);
      else if (rng.chance(0.2)) lines.push(`// ${this.phrase(3, 10)}`);
      else
        lines.push(
          `${rng.pick(['const', 'let', 'await', ''])} ${w} = ${id}(${rng.pick(this.vocab.nouns)}, { ${rng.pick(this.vocab.nouns)}: ${rng.int(0, 100)} });`.trim(),
        );
    }
    if (lang === 'json') {
      lines.unshift('{');
      lines.push('}');
    }
    this.push(`\`\`\`${lang}\n${lines.join('\n')}\n\`\`\`\n\n`);
  }
  table() {
    const { rng } = this;
    const cols = rng.int(2, 4);
    const header = ['Name', 'Type', 'Default', 'Description'].slice(0, cols);
    const rows = rng.int(2, 6);
    let t = `| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`;
    for (let r = 0; r < rows; r++) {
      const cells = [
        `\`${this.identifier()}\``,
        rng.pick(['string', 'number', 'boolean', '`Buffer`', 'object']),
        `\`${rng.int(0, 1000)}\``,
        capitalize(this.phrase(3, 10)),
      ];
      t += `| ${cells.slice(0, cols).join(' | ')} |\n`;
    }
    this.push(`${t}\n`);
  }
  block() {
    const r = this.rng.next();
    if (r < 0.6) this.paragraph();
    else if (r < 0.75) this.list();
    else if (r < 0.9) this.code();
    else this.table();
  }
  heading(level) {
    const { rng } = this;
    let text;
    const r = rng.next();
    if (level >= 3 && r < 0.35) {
      const id = rng.pick(this.api);
      text = `\`${id}(${rng.chance(0.5) ? `${rng.pick(this.vocab.nouns)}[, options]` : ''})\``;
    } else if (r < 0.45)
      text = rng.pick([
        'Options',
        'Examples',
        'Errors',
        'Usage',
        'Returns',
        'See also',
        'Overview',
        'Limitations',
        'Events',
        'Configuration',
      ]);
    else text = capitalize(this.phrase(2, 6));
    this.push(`${'#'.repeat(level)} ${text}\n\n`);
  }
  blocks(min, max) {
    const n = this.rng.int(min, max);
    for (let i = 0; i < n; i++) this.block();
  }
}

/** Relative path of document i: gNN/fNNNN/<slug>-NNNNNN.md, plus its title. */
function docMeta(seed, vocab, i) {
  const rng = makeRng(`meta:${seed}:${i}`);
  const words = [];
  const n = rng.int(2, 5);
  for (let k = 0; k < n; k++) words.push(zipfWord(rng, vocab));
  const title = words.map(capitalize).join(' ');
  const folder = Math.floor(i / DOCS_PER_FOLDER);
  const group = Math.floor(folder / FOLDERS_PER_GROUP);
  const slug = words
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
  const rel = `g${String(group).padStart(2, '0')}/f${String(folder).padStart(4, '0')}/${slug}-${String(i).padStart(6, '0')}.md`;
  return { title, rel, folder };
}

/** The identifiers document i defines (its "API"): module.verbNoun, grows with the corpus. */
function docApi(seed, vocab, i, folder) {
  const rng = makeRng(`api:${seed}:${i}`);
  const mod = vocab.modules[folder % vocab.modules.length];
  const n = rng.int(2, 6);
  const api = [];
  for (let k = 0; k < n; k++) {
    const name =
      rng.pick(VERBS) +
      capitalize(rng.pick(vocab.nouns)) +
      (rng.chance(0.4) ? capitalize(zipfWord(rng, vocab)) : '');
    api.push(rng.chance(0.8) ? `${mod}.${name}` : name);
  }
  return api;
}

export function generateDoc(seed, vocab, i) {
  const meta = docMeta(seed, vocab, i);
  const rng = makeRng(`doc:${seed}:${i}`);
  const api = docApi(seed, vocab, i, meta.folder);
  // Links only to earlier documents, so every prefix of a corpus is itself a valid corpus.
  const links = [];
  for (let k = 0; k < 3 && i > 0; k++) links.push(`/${docMeta(seed, vocab, rng.int(0, i - 1)).rel}`);
  const w = new DocWriter(rng, vocab, api, links);
  // Log-normal target size, mean ~5 KB (exp(sigma^2/2) correction), clamped to 0.8–40 KB.
  const sigma = 0.55;
  const target = Math.min(
    40_000,
    Math.max(800, Math.round(4400 * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2))),
  );
  const tags = [];
  for (let k = rng.int(1, 4); k > 0; k--) tags.push(rng.pick(vocab.nouns));
  w.push(`---\ntitle: "${meta.title}"\ntags: [${tags.join(', ')}]\nweight: ${rng.int(1, 100)}\n---\n\n`);
  if (rng.chance(0.8)) w.push(`# ${meta.title}\n\n`);
  w.blocks(1, 2);
  while (w.size < target) {
    w.heading(2);
    w.blocks(1, 3);
    for (let h3 = rng.int(0, 3); h3 > 0 && w.size < target; h3--) {
      w.heading(3);
      w.blocks(1, 3);
      for (let h4 = rng.int(0, 2); h4 > 0 && rng.chance(0.5); h4--) {
        w.heading(4);
        w.blocks(1, 2);
      }
    }
  }
  return { rel: meta.rel, text: w.parts.join(''), api };
}

// ---------------------------------------------------------------- main
async function main() {
  const usage =
    'usage: node scripts/gen-corpus.mjs --docs N [--out DIR=.cache/corpora/<N>] [--seed S=1] [--force]\n';
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        docs: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string', default: '1' },
        force: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`gen-corpus: ${e.message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) return void process.stdout.write(usage);
  const docs = Number(values.docs);
  if (!Number.isInteger(docs) || docs < 1) {
    process.stderr.write(`gen-corpus: --docs must be a positive whole number\n${usage}`);
    process.exit(2);
  }
  const seed = values.seed;
  const out = resolve(values.out ?? join(ROOT, '.cache', 'corpora', String(docs)));
  const params = { generator: GENERATOR_VERSION, docs, seed };
  const markerPath = join(out, '.corpus.json');
  const log = (s) => values.quiet || process.stderr.write(`${s}\n`);

  if (existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, 'utf8'));
    if (
      marker.generator === params.generator &&
      marker.docs === params.docs &&
      marker.seed === params.seed &&
      !values.force
    ) {
      log(
        `gen-corpus: ${out} is up to date (${docs} docs, seed ${seed}, ${(marker.bytes / 1e6).toFixed(1)} MB)`,
      );
      return;
    }
    rmSync(out, { recursive: true, force: true }); // ours (it has our marker): regenerate
  } else if (existsSync(out) && readdirSync(out).length > 0) {
    process.stderr.write(
      `gen-corpus: ${out} exists, is not empty and has no .corpus.json: refusing to write into it\n`,
    );
    process.exit(1);
  }

  const started = performance.now();
  const vocab = buildVocabulary(seed);
  mkdirSync(out, { recursive: true });
  let bytes = 0;
  let lastDir = '';
  const apiSample = [];
  const sampleRng = makeRng(`sample:${seed}`);
  for (let i = 0; i < docs; i++) {
    const d = generateDoc(seed, vocab, i);
    const file = join(out, d.rel);
    const dir = dirname(file);
    if (dir !== lastDir) {
      mkdirSync(dir, { recursive: true });
      lastDir = dir;
    }
    writeFileSync(file, d.text);
    bytes += Buffer.byteLength(d.text);
    if (apiSample.length < 2000 && sampleRng.chance(Math.min(1, 4000 / docs)))
      apiSample.push(sampleRng.pick(d.api));
    if ((i + 1) % 5000 === 0) log(`gen-corpus: ${i + 1}/${docs} docs, ${(bytes / 1e6).toFixed(0)} MB`);
  }
  writeFileSync(
    join(out, '.vocab.json'),
    JSON.stringify({
      words: vocab.words,
      identifiers: vocab.identifiers,
      api: apiSample,
      modules: vocab.modules,
    }),
  );
  writeFileSync(
    markerPath,
    JSON.stringify({ ...params, bytes, createdAt: new Date().toISOString() }, null, 2),
  );
  log(
    `gen-corpus: wrote ${docs} docs, ${(bytes / 1e6).toFixed(1)} MB (avg ${(bytes / docs / 1000).toFixed(1)} KB) to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
