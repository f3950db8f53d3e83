/**
 * Layer rules of the hexagon, checked in CI (`npm run layers`):
 * domain and ports stay free of adapters, frameworks and node I/O; only src/app wires adapters.
 */
const NODE_IO = '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|os|process|readline)$';

module.exports = {
  forbidden: [
    {
      name: 'domain-no-adapters-or-app',
      severity: 'error',
      comment: 'The domain knows ports, never their implementations or the app wiring.',
      from: { path: '^src/domain' },
      to: { path: '^src/(adapters|app)' },
    },
    {
      name: 'ports-only-domain',
      severity: 'error',
      comment: 'Ports speak the domain language: they may import domain types only.',
      from: { path: '^src/ports' },
      to: { path: '^src/(adapters|app)' },
    },
    {
      name: 'core-no-node-io',
      severity: 'error',
      comment: 'Domain and ports do no I/O; adapters do.',
      from: { path: '^src/(domain|ports)' },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'core-no-frameworks',
      severity: 'error',
      comment: 'HTTP, MCP, ACME and logging libraries belong in adapters.',
      from: { path: '^src/(domain|ports)' },
      to: { path: 'node_modules/(hono|@hono|@modelcontextprotocol|acme-client|pino|gray-matter|ioredis|redis)/' },
    },
    {
      name: 'adapters-only-from-app',
      severity: 'error',
      comment: 'Concrete adapters are chosen in src/app (the composition root) only.',
      from: { path: '^src/(domain|ports)' },
      to: { path: '^src/adapters' },
    },
    {
      name: 'one-composition-root',
      severity: 'error',
      comment: 'Within src/app only container.ts knows concrete adapters.',
      from: { path: '^src/app', pathNot: '^src/app/container\\.ts$' },
      to: { path: '^src/adapters' },
    },
    {
      name: 'no-locator-outside-the-root',
      severity: 'error',
      comment:
        'Only container.ts talks to the container; adapters are built by it by hand (no @singleton side effects on import).',
      from: { path: '^src/(app|adapters)', pathNot: '^src/app/container\\.ts$' },
      to: { path: 'node_modules/tsyringe/' },
    },
    {
      name: 'domain-no-packages',
      severity: 'error',
      comment:
        'The domain is certdocs\' own logic: Markdown parsing, stemming and the index engine are adapters. Only DI decorators come from a package.',
      from: { path: '^src/domain' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: 'node_modules/(tsyringe|reflect-metadata)/',
      },
    },
    {
      name: 'ports-no-packages',
      severity: 'error',
      comment: 'A port is an interface in the domain language: it imports domain types and nothing else.',
      from: { path: '^src/ports' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
