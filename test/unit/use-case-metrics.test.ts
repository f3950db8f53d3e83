import { describe, expect, it, vi } from 'vitest';
import { AcmeError } from '../../src/domain/acme-errors.js';
import { DocIndex } from '../../src/domain/doc-index.js';
import { KeepDocsFresh } from '../../src/domain/keep-docs-fresh.js';
import { ObtainCertificate } from '../../src/domain/obtain-certificate.js';
import { RenewalScheduler } from '../../src/domain/renewal-scheduler.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeCa } from '../fakes/fake-ca.js';
import { FakeCertificateCrypto } from '../fakes/fake-certificate-crypto.js';
import { days, FakeClock, minutes } from '../fakes/fake-clock.js';
import { InMemoryCertStore } from '../fakes/in-memory-cert-store.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingCertificateInstaller } from '../fakes/recording-certificate-installer.js';
import { RecordingMetrics } from '../fakes/recording-metrics.js';
import { testObtainSettings } from '../fakes/settings.js';

/** The use-cases tell the Metrics port what happened; the adapters only count what they are told. */

const v1 = { 'a.md': '# Alpha\n\nThe first version mentions zebras.', 'b.md': '# Beta\n\n## One\n\nx\n' };
const v2 = { 'a.md': '# Alpha\n\nThe second version mentions giraffes.' };

function docsWithMetrics(files: Record<string, string> = v1) {
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const metrics = new RecordingMetrics();
  const source = InMemoryDocSource.of(files);
  const docs = new ServeDocs(source, clock, logger, indexTools, undefined, undefined, metrics);
  const fresh = new KeepDocsFresh(docs, source, clock, logger, { refreshIntervalMs: 0 }, metrics);
  return { clock, source, docs, fresh, metrics };
}

describe('ServeDocs records', () => {
  it('the index it serves: documents, sections and when it was built', async () => {
    const { clock, docs, metrics } = docsWithMetrics();
    const index = await docs.load();
    expect(metrics.indexes).toEqual([{ documents: 2, sections: index.sectionCount, builtAt: clock.now() }]);
    expect(index.sectionCount).toBeGreaterThan(2);
  });

  it('each search answered, with its latency; a refused query is not a search served', async () => {
    const { docs, metrics } = docsWithMetrics();
    await docs.load();
    docs.search({ query: 'zebras' });
    docs.search({ query: 'nothing matches this' });
    expect(() => docs.search({ query: '   ' })).toThrow();
    expect(metrics.searches).toHaveLength(2);
    for (const ms of metrics.searches) expect(ms).toBeGreaterThanOrEqual(0);
  });
});

describe('KeepDocsFresh records', () => {
  it('each refresh with its result, and the new index when the docs changed', async () => {
    const { docs, fresh, source, metrics } = docsWithMetrics();
    await docs.load();
    await fresh.refreshNow(); // unchanged
    source.replaceWith([{ id: 'a', path: 'a.md', markdown: v2['a.md'] }]);
    await fresh.refreshNow();
    source.failNextLoad('HTTP 503');
    await fresh.refreshNow();
    expect(metrics.refreshes).toEqual([true, true, false]);
    expect(metrics.indexes.map((i) => i.documents)).toEqual([2, 1]);
  });

  it('a refresh whose build throws as a failed one', async () => {
    const { docs, fresh, source, metrics } = docsWithMetrics();
    await docs.load();
    source.replaceWith([{ id: 'a', path: 'a.md', markdown: v2['a.md'] }]);
    const build = vi.spyOn(DocIndex, 'buildAsync').mockRejectedValueOnce(new Error('heap out of memory'));
    try {
      await fresh.refreshNow();
    } finally {
      build.mockRestore();
    }
    expect(metrics.refreshes).toEqual([false]);
  });
});

function certificateWithMetrics() {
  const clock = new FakeClock();
  const responder = new InMemoryChallengeResponder();
  const ca = new FakeCa(clock, responder);
  const logger = new MemoryLogger();
  const metrics = new RecordingMetrics();
  const obtain = new ObtainCertificate(
    ca,
    responder,
    new InMemoryCertStore(),
    new FakeCertificateCrypto(),
    clock,
    logger,
    testObtainSettings(),
    undefined,
    metrics,
  );
  const installer = new RecordingCertificateInstaller();
  const scheduler = new RenewalScheduler(obtain, installer, clock, logger, () => 0.5, metrics);
  return { clock, ca, obtain, scheduler, installer, metrics };
}

describe('ObtainCertificate records', () => {
  it('each ACME order attempt, and each failure under its error code', async () => {
    const { clock, ca, obtain, metrics } = certificateWithMetrics();
    ca.rateLimitNext(minutes(5));
    ca.failNextOrder(new AcmeError('acme.server_internal', 'try later'));
    const got = obtain.ensure();
    for (let i = 0; i < 5; i++) await clock.advance(minutes(10));
    await got;
    expect(metrics.orders).toBe(3);
    expect(metrics.orderFailures).toEqual(['acme.rate_limited', 'acme.server_internal']);
  });

  it('no order when the stored certificate is used', async () => {
    const { obtain, metrics } = certificateWithMetrics();
    await obtain.ensure();
    await obtain.ensure();
    expect(metrics.orders).toBe(1);
    expect(metrics.orderFailures).toEqual([]);
  });

  it('an unexpected failure as "unexpected"', async () => {
    const { clock, ca, obtain, metrics } = certificateWithMetrics();
    const directory = ca.directory.bind(ca);
    let calls = 0;
    ca.directory = async () => {
      if (calls++ === 0) throw new TypeError('boom');
      return directory();
    };
    const got = obtain.ensure();
    for (let i = 0; i < 3; i++) await clock.advance(minutes(10));
    await got;
    expect(metrics.orderFailures).toEqual(['unexpected']);
  });
});

describe('RenewalScheduler records', () => {
  it('the certificate in service and its planned renewal, again after each renewal', async () => {
    const { clock, obtain, scheduler, metrics } = certificateWithMetrics();
    const first = await obtain.ensure();
    await scheduler.start(first);
    expect(metrics.inService?.info.serialHex).toBe(first.info.serialHex);
    expect(metrics.inService?.renewAt.toISOString()).toBe(scheduler.status()?.renewAt);
    await clock.advance(days(61));
    expect(metrics.orders).toBe(2);
    expect(metrics.inService?.info.serialHex).not.toBe(first.info.serialHex);
    expect(metrics.inService?.renewAt.toISOString()).toBe(scheduler.status()?.renewAt);
    scheduler.stop();
  });
});
