#!/usr/bin/env node
// Entry point. Kept to what a server needs before its first answer: the CLI parses the options,
// the composition root opens HTTPS from a stored certificate, and only then loads the rest
// (reflect-metadata first, before tsyringe and the use-cases: see loadGraph in container.ts).
import './cli.js';
