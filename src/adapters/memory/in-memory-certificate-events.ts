import type { DomainName } from '../../domain/domain-name.js';
import type { CertificateEvent, CertificateEvents } from '../../ports/certificate-events.js';

/** One process (`--store fs`): the events go to the watchers in this process, at once. */
export class InMemoryCertificateEvents implements CertificateEvents {
  private readonly watchers = new Map<string, Set<(event: CertificateEvent) => void>>();

  async announce(name: DomainName, event: CertificateEvent): Promise<number> {
    const watchers = [...(this.watchers.get(name) ?? [])];
    for (const onEvent of watchers) onEvent(event);
    return watchers.length;
  }

  async watch(name: DomainName, onEvent: (event: CertificateEvent) => void): Promise<() => Promise<void>> {
    // A wrapper, so that one function watching twice is two watchers.
    const watcher = (event: CertificateEvent) => onEvent(event);
    const set = this.watchers.get(name) ?? new Set();
    set.add(watcher);
    this.watchers.set(name, set);
    return async () => {
      set.delete(watcher);
    };
  }
}
