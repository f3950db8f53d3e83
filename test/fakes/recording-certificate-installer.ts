import type { StoredCertificate } from '../../src/domain/certificate.js';
import type { CertificateInstaller } from '../../src/ports/certificate-installer.js';

/** A client connection to the fake: it keeps the certificate that was in service when it opened. */
export interface FakeConnection {
  readonly cert: StoredCertificate | undefined;
  readonly open: boolean;
  close(): void;
}

/** Remembers what was installed; "connections" take the certificate in service when they open. */
export class RecordingCertificateInstaller implements CertificateInstaller {
  readonly installed: StoredCertificate[] = [];

  install(cert: StoredCertificate): void {
    this.installed.push(cert);
  }

  /** The certificate a new handshake would get now. */
  get inService(): StoredCertificate | undefined {
    return this.installed.at(-1);
  }

  /** A new connection: it holds on to the certificate in service now, whatever is installed later. */
  openConnection(): FakeConnection {
    const cert = this.inService;
    let open = true;
    return {
      cert,
      get open() {
        return open;
      },
      close: () => {
        open = false;
      },
    };
  }
}
