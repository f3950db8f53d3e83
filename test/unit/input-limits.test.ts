import { beforeAll, describe, expect, it } from 'vitest';
import { DocNotFoundError, InvalidQueryError } from '../../src/domain/errors.js';
import { MAX_ID_CHARS, MAX_QUERY_CHARS, ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

/**
 * Input lengths are bounded before any work is done: a 65,000-character query once sent RSS to
 * 4.6 GB and blocked the event loop for 13 s; a 40,000-character id peaked at 6.1 GB while the
 * closest ids were looked for, and was echoed whole in the error.
 */
describe('ServeDocs input limits', () => {
  const docs = new ServeDocs(
    InMemoryDocSource.of(SAMPLE_DOCS),
    new FakeClock(),
    new MemoryLogger(),
    indexTools,
  );
  beforeAll(() => docs.load());

  it('searches a query of MAX_QUERY_CHARS characters', () => {
    const query = 'timeout '.repeat(MAX_QUERY_CHARS).slice(0, MAX_QUERY_CHARS);
    expect(docs.search({ query }).results.length).toBeGreaterThan(0);
  });

  it.each([MAX_QUERY_CHARS + 1, 65_000, 100_000])(
    'refuses a query of %i characters, saying the limit',
    (n) => {
      const query = 'x'.repeat(n);
      const error = (() => {
        try {
          docs.search({ query });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidQueryError);
      expect((error as Error).message).toContain(String(MAX_QUERY_CHARS));
      expect((error as Error).message.length).toBeLessThan(300);
    },
  );

  it.each([
    ['fetch', (id: string) => docs.fetch({ id })],
    ['outline', (id: string) => docs.outline(id)],
    ['document', (id: string) => docs.document(id)],
  ])('%s refuses an id over MAX_ID_CHARS without echoing it whole', (_, call) => {
    const id = `a${'b'.repeat(40_000)}`;
    const error = (() => {
      try {
        call(id);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DocNotFoundError);
    expect((error as DocNotFoundError).suggestions).toEqual([]);
    expect((error as Error).message.length).toBeLessThan(300);
    expect((error as Error).message).toContain(String(MAX_ID_CHARS));
  });

  it('still suggests close ids for an unknown id of ordinary length, echoed truncated past 100 characters', () => {
    const error = new DocNotFoundError(`x${'y'.repeat(200)}`, []);
    expect(error.message.length).toBeLessThan(220);
    expect(error.message).toContain('…');
  });
});
