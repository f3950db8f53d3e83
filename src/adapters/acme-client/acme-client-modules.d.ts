// acme-client's own files, imported one by one so that node-forge (its legacy crypto, ~0.6 MB that
// certdocs never calls) is not loaded: the package index requires it eagerly.
declare module 'acme-client/src/client.js' {
  const Client: typeof import('acme-client').Client;
  export = Client;
}
declare module 'acme-client/src/axios.js' {
  const axios: typeof import('acme-client').axios;
  export = axios;
}
declare module 'acme-client/src/crypto/index.js' {
  const crypto: typeof import('acme-client').crypto;
  export = crypto;
}
