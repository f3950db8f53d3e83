#!/usr/bin/env node
// The "bare Hono app" anchor of bench-requests: the project's own hono and @hono/node-server with
// one route answering a fixed JSON body (the body certdocs' /healthz gave), nothing else.
//
//   node scripts/bench/bare-hono.mjs --port N --body FILE [--reply FILE]
// With --reply, GET /reply answers that file's bytes as JSON: the ceiling a route that sends as
// many bytes as an MCP reply can reach, to read the MCP rows against. Prints one line {"listening":PORT} on stdout once it accepts connections.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, body: { type: 'string' }, reply: { type: 'string' } },
  strict: true,
});
const body = values.body ? JSON.parse(readFileSync(values.body, 'utf8')) : { status: 'ok' };

const app = new Hono();
app.get('/healthz', (c) => c.json(body));
if (values.reply) {
  const reply = readFileSync(values.reply, 'utf8');
  app.get('/reply', (c) => c.body(reply, 200, { 'content-type': 'application/json' }));
}

serve({ fetch: app.fetch, port: Number(values.port), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ listening: info.port })}\n`);
});
