/** Answers ACME TLS-ALPN-01 (RFC 8737) on the HTTPS port: a handshake offering `acme-tls/1` gets a challenge certificate. */
export interface TlsAlpnResponder {
  present(domain: string, keyAuthorization: string): Promise<void>;
  remove(domain: string): Promise<void>;
}

export const TLS_ALPN_RESPONDER = Symbol.for('certdocs.TlsAlpnResponder');
