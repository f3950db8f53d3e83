import { afterEach, describe, expect, it } from 'vitest';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import type { CertificateInstaller } from '../../src/ports/certificate-installer.js';
import { freshEach } from './fresh-each.js';

/** A client connection that stays open across installs. */
export interface OpenConnection {
  /** Identity of the certificate this connection was served (its fingerprint, say). */
  readonly seen: string;
  /** True when the connection still gets answers over the certificate it started with. */
  stillServed(): Promise<boolean>;
  close(): void;
}

export interface MadeInstaller {
  readonly installer: CertificateInstaller;
  /** A new certificate (with its key) for the installer's domain, different each time. */
  mint(): Promise<StoredCertificate>;
  /** The identity `seen` would report for this certificate. */
  identify(cert: StoredCertificate): string;
  /** A new client connection, with a new handshake. */
  connect(): Promise<OpenConnection>;
  cleanup(): Promise<void>;
}

/**
 * What every CertificateInstaller promises: once a certificate is installed, new handshakes get it;
 * connections already open keep theirs and go on working. Run against the recording fake and the
 * HTTPS transport.
 */
export function runCertificateInstallerContract(
  name: string,
  makeInstaller: () => Promise<MadeInstaller>,
): void {
  describe(`CertificateInstaller contract: ${name}`, () => {
    const make = freshEach<MadeInstaller>();
    const fresh = () => make(makeInstaller);
    const open: OpenConnection[] = [];
    const connect = async (m: MadeInstaller) => {
      const c = await m.connect();
      open.push(c);
      return c;
    };
    // Registered after freshEach's hook, so (hooks run as a stack) connections close before servers stop.
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
    });

    it('serves the installed certificate to a new connection', async () => {
      const m = await fresh();
      const cert = await m.mint();
      m.installer.install(cert);
      expect((await connect(m)).seen).toBe(m.identify(cert));
    });

    it('serves a newly installed certificate to new connections', async () => {
      const m = await fresh();
      const first = await m.mint();
      const second = await m.mint();
      expect(m.identify(first)).not.toBe(m.identify(second));
      m.installer.install(first);
      expect((await connect(m)).seen).toBe(m.identify(first));
      m.installer.install(second);
      expect((await connect(m)).seen).toBe(m.identify(second));
    });

    it('leaves an open connection on its certificate, still answered', async () => {
      const m = await fresh();
      const first = await m.mint();
      const second = await m.mint();
      m.installer.install(first);
      const before = await connect(m);
      expect(await before.stillServed()).toBe(true);
      m.installer.install(second);
      expect(before.seen).toBe(m.identify(first));
      expect(await before.stillServed()).toBe(true);
      expect((await connect(m)).seen).toBe(m.identify(second));
    });

    it('takes the same certificate installed twice in its stride', async () => {
      const m = await fresh();
      const cert = await m.mint();
      m.installer.install(cert);
      await connect(m);
      m.installer.install(cert);
      expect((await connect(m)).seen).toBe(m.identify(cert));
    });
  });
}
