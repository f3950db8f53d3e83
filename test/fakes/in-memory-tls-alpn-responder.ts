import type { TlsAlpnResponder } from '../../src/ports/tls-alpn-responder.js';

/** Keeps presented key authorizations per domain; domains match in any letter case, as in DNS. */
export class InMemoryTlsAlpnResponder implements TlsAlpnResponder {
  private readonly answers = new Map<string, string>();

  async present(domain: string, keyAuthorization: string): Promise<void> {
    this.answers.set(domain.toLowerCase(), keyAuthorization);
  }

  async remove(domain: string): Promise<void> {
    this.answers.delete(domain.toLowerCase());
  }

  /** The key authorization a validator would find in the acmeIdentifier extension, if any. */
  answer(domain: string): string | undefined {
    return this.answers.get(domain.toLowerCase());
  }

  /** Every domain with a challenge on offer now. */
  get presentedDomains(): string[] {
    return [...this.answers.keys()];
  }
}
