import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CertificateEvent, CertificateEvents } from '../../src/ports/certificate-events.js';
import { name as domainName } from '../fakes/domain-names.js';
import { freshEach } from './fresh-each.js';

export interface MadeEvents {
  /** Two replicas' views of the events (the same object where nothing is shared). */
  readonly events: CertificateEvents;
  readonly replica: CertificateEvents;
  cleanup(): Promise<void>;
}

/** Waits until `heard` has `n` entries (events may cross a network), at most 2 s. */
async function until(heard: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 100 && heard.length < n; i++) await delay(20);
}

/**
 * What every CertificateEvents promises: an announcement reaches every watcher of that name, in
 * this process and in the others, and no one else; announce says how many heard it; a watcher
 * that stopped hears nothing more.
 */
export function runCertificateEventsContract(label: string, makeEvents: () => Promise<MadeEvents>): void {
  describe(`CertificateEvents contract: ${label}`, () => {
    const make = freshEach<MadeEvents>();
    const fresh = () => make(makeEvents);
    const docs = domainName('docs.example.com');
    const other = domainName('other.example.com');

    it('an announcement reaches every watcher of the name, here and in another replica', async () => {
      const { events, replica } = await fresh();
      const here: CertificateEvent[] = [];
      const there: CertificateEvent[] = [];
      const elsewhere: CertificateEvent[] = [];
      await events.watch(docs, (e) => here.push(e));
      await replica.watch(docs, (e) => there.push(e));
      await replica.watch(other, (e) => elsewhere.push(e));
      expect(await events.announce(docs, 'stored')).toBe(2);
      expect(await replica.announce(docs, 'renewal_requested')).toBe(2);
      await until(here, 2);
      await until(there, 2);
      expect(here).toEqual(['stored', 'renewal_requested']);
      expect(there).toEqual(['stored', 'renewal_requested']);
      await delay(50);
      expect(elsewhere).toEqual([]);
    });

    it('says when no one heard an announcement', async () => {
      const { events } = await fresh();
      expect(await events.announce(domainName('nobody.example.com'), 'renewal_requested')).toBe(0);
    });

    it('a watcher that stopped hears nothing more; the others still do', async () => {
      const { events, replica } = await fresh();
      const stopped: CertificateEvent[] = [];
      const kept: CertificateEvent[] = [];
      const unwatch = await events.watch(docs, (e) => stopped.push(e));
      await replica.watch(docs, (e) => kept.push(e));
      await unwatch();
      await unwatch(); // twice is harmless
      expect(await replica.announce(docs, 'stored')).toBe(1);
      await until(kept, 1);
      await delay(50);
      expect(kept).toEqual(['stored']);
      expect(stopped).toEqual([]);
    });
  });
}
