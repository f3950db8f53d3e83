import type * as AcmeLib from 'acme-client';

export type Lib = typeof AcmeLib;

let libPromise: Promise<Lib> | undefined;

/**
 * acme-client (with node-forge) costs ~0.1–0.2 s to load: only code that orders, signs a CSR or
 * answers TLS-ALPN-01 pays for it, once. It is CommonJS, so the namespace may arrive as `default`.
 */
export function loadAcmeLib(): Promise<Lib> {
  libPromise ??= import('acme-client').then(
    (mod) => ((mod as unknown as { default?: Lib }).default ?? mod) as Lib,
  );
  return libPromise;
}
