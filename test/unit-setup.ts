// Setup file of the `unit` project (vitest.config.ts). Imported before each test file, so I/O at a
// test file's top level is caught as well as I/O inside a test.
import { installNoIoGuard } from './no-io-guard.js';

installNoIoGuard();
