import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers and CAs; keep them from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    // `npx vitest run --project unit` runs one of these; `npx vitest run` runs them all.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // In-memory: use-cases with fakes, adapters driven in-process. test/unit-setup.ts enforces it.
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/unit-setup.ts'],
        },
      },
      {
        extends: true,
        // One suite per port, run against the fake and against the real adapter (files, Pebble).
        test: { name: 'contract', include: ['test/contract/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // Real sockets, files, Pebble and the built CLI; dist/ is rebuilt first if src/ is newer.
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/harness/fresh-build.mjs'],
        },
      },
    ],
  },
});
