import type * as AcmeLib from 'acme-client';
import { useFullCrypto } from './light-crypto.js';

/** The parts of acme-client an order uses: the client and its axios instance. */
export type Lib = Pick<typeof AcmeLib, 'Client' | 'axios'>;
/** acme-client's crypto (@peculiar/x509): the TLS-ALPN-01 certificate, CSRs for unusual keys. */
export type AcmeCrypto = (typeof AcmeLib)['crypto'];

let libPromise: Promise<Lib> | undefined;
let cryptoPromise: Promise<AcmeCrypto> | undefined;

/** CommonJS: in the bundle a module's exports may arrive as `default`. */
const exportsOf = <T>(mod: T | { default: T }): T => (mod as { default?: T }).default ?? (mod as T);

/**
 * acme-client costs ~0.1–0.2 s to load: only code that orders pays for it, once. Its files are
 * imported one by one, not through the package index, which also loads node-forge (legacy crypto
 * certdocs never calls; about a third of the package's code). Its crypto module is not among
 * them: see loadAcmeCrypto.
 */
export function loadAcmeLib(): Promise<Lib> {
  libPromise ??= Promise.all([import('acme-client/src/client.js'), import('acme-client/src/axios.js')]).then(
    ([client, axios]) => ({ Client: exportsOf(client), axios: exportsOf(axios) }),
  );
  return libPromise;
}

/**
 * acme-client's crypto module, with @peculiar/x509 and asn1js (~0.7 MB, tens of ms to evaluate):
 * an HTTP-01 order does not need it (node-crypto makes the CSR; the bundle gives acme-client's
 * client light-crypto.ts instead), TLS-ALPN-01 does, for its challenge certificate.
 */
export function loadAcmeCrypto(): Promise<AcmeCrypto> {
  cryptoPromise ??= import('acme-client/src/crypto/index.js').then((mod) => {
    const crypto = exportsOf(mod);
    useFullCrypto(crypto);
    return crypto;
  });
  return cryptoPromise;
}
