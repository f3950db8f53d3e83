import type { TlsAlpnResponder } from '../../src/ports/tls-alpn-responder.js';

export class InMemoryTlsAlpnResponder implements TlsAlpnResponder {
  private readonly answers = new Map<string, string>();

  async present(domain: string, keyAuthorization: string): Promise<void> {
    this.answers.set(domain, keyAuthorization);
  }

  async remove(domain: string): Promise<void> {
    this.answers.delete(domain);
  }

  /** The key authorization a validator would find in the acmeIdentifier extension, if any. */
  answer(domain: string): string | undefined {
    return this.answers.get(domain);
  }
}
