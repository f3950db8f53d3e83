import type * as AcmeLib from 'acme-client';

/** The parts of acme-client certdocs uses: the client, its axios instance, its crypto (CSR, ALPN cert). */
export type Lib = Pick<typeof AcmeLib, 'Client' | 'axios' | 'crypto'>;

let libPromise: Promise<Lib> | undefined;

/** CommonJS: in the bundle a module's exports may arrive as `default`. */
const exportsOf = <T>(mod: T | { default: T }): T => (mod as { default?: T }).default ?? (mod as T);

/**
 * acme-client costs ~0.1–0.2 s to load: only code that orders, signs a CSR or answers TLS-ALPN-01
 * pays for it, once. Its files are imported one by one, not through the package index, which
 * also loads node-forge (legacy crypto certdocs never calls; about a third of the package's code).
 */
export function loadAcmeLib(): Promise<Lib> {
  libPromise ??= Promise.all([
    import('acme-client/src/client.js'),
    import('acme-client/src/axios.js'),
    import('acme-client/src/crypto/index.js'),
  ]).then(([client, axios, crypto]) => ({
    Client: exportsOf(client),
    axios: exportsOf(axios),
    crypto: exportsOf(crypto),
  }));
  return libPromise;
}
