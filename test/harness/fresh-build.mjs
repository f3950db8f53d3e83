// @ts-check
// globalSetup of the `integration` project (vitest.config.ts): its suites run dist/bin/certdocs.js,
// so they must never run a build older than src/. Rebuilds only when something changed.
import { buildIfStale } from './certdocs.mjs';

export default function setup() {
  buildIfStale();
}
