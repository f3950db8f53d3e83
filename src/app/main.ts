#!/usr/bin/env node
// Entry point. reflect-metadata must be installed before tsyringe is evaluated; in the bundled CLI,
// shared chunks are evaluated before this module's body, so the rest is imported only afterwards.
import 'reflect-metadata';

await import('./cli.js');
