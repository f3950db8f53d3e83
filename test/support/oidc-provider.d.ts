// oidc-provider ships no types and @types/oidc-provider is not installed: the tests use it untyped.
declare module 'oidc-provider' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped test dependency
  const Provider: any;
  // biome-ignore lint/suspicious/noExplicitAny: untyped test dependency
  export const errors: any;
  export default Provider;
}
