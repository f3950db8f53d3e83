#!/usr/bin/env node
// The "bare Hono app" anchor of bench-requests: the project's own hono and @hono/node-server with
// one route answering a fixed JSON body (the body certdocs' /healthz gave), nothing else.
//
//   node scripts/bench/bare-hono.mjs --port N --body FILE
// Prints one line {"listening":PORT} on stdout once it accepts connections.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, body: { type: 'string' } },
  strict: true,
});
const body = values.body ? JSON.parse(readFileSync(values.body, 'utf8')) : { status: 'ok' };

const app = new Hono();
app.get('/healthz', (c) => c.json(body));

serve({ fetch: app.fetch, port: Number(values.port), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ listening: info.port })}\n`);
});
