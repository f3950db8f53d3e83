import { describe, expect, it } from 'vitest';
import { apiNames, DocIndex } from '../../src/domain/doc-index.js';
import { indexTools } from '../fakes/index-tools.js';

const FS = `# File system

## \`fs.exists(path, callback)\`

> Stability: 0 - Deprecated: Use \`fs.stat()\` or \`fs.access()\` instead.

Returns \`true\` if the path exists, \`false\` otherwise.

## \`fs.existsSync(path)\`

Returns \`true\` if the path exists, \`false\` otherwise.

## \`fs.cp(src, dest)\`

Asynchronously copies the entire directory structure from src to dest.

## Constants

### Open constants

The following constants are meant for use with \`fs.open()\`: O_RDONLY, O_WRONLY.
`;

const OS = `# OS

## \`os.cpus()\`

Returns an array of objects containing information about each logical CPU core.

## Signal constants

<table>
  <tr><th>Constant</th><th>Description</th></tr>
  <tr><td><code>SIGINT</code></td><td>Sent to indicate when a user wishes to interrupt a process.</td></tr>
</table>
`;

const EVENTS = `# Events

## \`emitter.once(eventName, listener)\`

Adds a one-time listener function for the event named eventName.

## \`events.once(emitter, name)\`

Creates a Promise that is fulfilled when the EventEmitter emits the given event.
`;

const index = await DocIndex.buildAsync(
  indexTools,
  [
    { id: 'fs', path: 'fs.md', markdown: FS },
    { id: 'os', path: 'os.md', markdown: OS },
    { id: 'events', path: 'events.md', markdown: EVENTS },
  ],
  new Date('2026-01-01T00:00:00Z'),
);
const ids = (q: string, n = 3) => index.search(q, n).map((h) => h.section.id);

describe('DocIndex ranking', () => {
  it('ranks a deprecated section below an equally good live one', () => {
    expect(ids('check whether a path exists')[0]).toBe('fs#fsexistssyncpath');
  });

  it('weighs the lead paragraph: a paraphrase of the definition finds the API', () => {
    expect(ids('copy a whole directory')[0]).toBe('fs#fscpsrc-dest');
  });

  it('prefers the section whose heading is the API the query names', () => {
    expect(ids('events.once: await an event as a promise')[0]).toBe('events#eventsonceemitter-name');
  });

  it('matches known words exactly: "cpus" does not find "cp"', () => {
    expect(ids('cpus', 5)).toEqual(['os#oscpus']);
  });

  it('still corrects a word the corpus does not know', () => {
    expect(ids('existsSinc')[0]).toBe('fs#fsexistssyncpath');
  });

  it('indexes the text of HTML tables', () => {
    expect(ids('interrupt a process')[0]).toBe('os#signal-constants');
  });

  it('gives a bare heading a snippet from its subsections', () => {
    const hit = index.search('constants', 5).find((h) => h.section.id === 'fs#constants');
    expect(hit?.snippet).toContain('O_RDONLY');
  });
});

describe('apiNames', () => {
  it('finds dotted and called names, and identifiers in queries', () => {
    expect(apiNames('`fs.readFile(path)` and structuredClone(value)', false)).toEqual([
      'fs.readfile',
      'readfile',
      'structuredclone',
    ]);
    expect(apiNames('AsyncLocalStorage getStore returns undefined', true)).toEqual([
      'asynclocalstorage',
      'getstore',
    ]);
    expect(apiNames('plain words only', true)).toEqual([]);
  });
});

describe('DocIndex with a common word in every section', () => {
  it('ranks the section with the rare word first, and a query of common words still finds them all', async () => {
    const docs = Array.from({ length: 60 }, (_, i) => ({
      id: `d${i}`,
      path: `d${i}.md`,
      markdown: `# Page ${i}\n\nThis page mentions the common word configuration${i === 42 ? ' and the rare word zeppelin' : ''}.`,
    }));
    const index = await DocIndex.buildAsync(indexTools, docs, new Date(0));
    const hits = index.search('zeppelin configuration', 10);
    expect(hits[0]?.section.id).toBe('d42#page-42');
    expect(hits[1]?.score).toBeLessThan((hits[0]?.score ?? 0) / 2);
    expect(index.search('configuration', 100)).toHaveLength(60);
  });
});

describe('DocIndex re-rank of a page smaller than the pool', () => {
  it('gives the first hits of a short page exactly as a page of the whole pool ranks them', async () => {
    // Sections whose engine score and heading / API-name bonuses disagree: body-heavy sections
    // score high in the engine, sections with the words (or the API) in their heading get bonuses.
    const docs = Array.from({ length: 30 }, (_, i) => ({
      id: `d${i}`,
      path: `d${i}.md`,
      markdown: [
        `# Page ${i}`,
        '',
        i % 3 === 0 ? `## \`conf.parseOptions(text)\` ${i}` : `## Parse config options ${i}`,
        '',
        `Parse the config file.${' Options for the config parser.'.repeat(i % 5)}`,
        '',
        `## Other ${i}`,
        '',
        `${'options and config values, parsed. '.repeat((i % 7) + 1)}Stability notes.`,
        ...(i % 4 === 0 ? ['', '> Stability: 0 - Deprecated'] : []),
      ].join('\n'),
    }));
    const index = await DocIndex.buildAsync(indexTools, docs, new Date(0));
    const page = (q: string, n: number) =>
      index.search(q, n).map((h) => ({ id: h.section.id, score: h.score, snippet: h.snippet }));
    for (const q of ['parse config options', 'conf.parseOptions config', 'options values parsed']) {
      const whole = page(q, 100);
      expect(whole.length).toBeGreaterThan(20);
      for (const n of [1, 3, 10]) expect(page(q, n)).toEqual(whole.slice(0, n));
    }
  });
});
