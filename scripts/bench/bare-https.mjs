#!/usr/bin/env node
// The floor of a warm start in bench-startup: Node's own start plus a bare node:https server that
// reads the same certificate and key files certdocs stored and answers 200 to every request.
// Nothing else: no argument parser, no logger, no framework.
//
//   node scripts/bench/bare-https.mjs CERT_FILE KEY_FILE PORT [HOST=127.0.0.1]
// `ca: []` as in certdocs (src/adapters/hono/node-listener.ts): a server context does not need
// Node's bundled root store, and loading it would add 30-60 ms that certdocs does not pay.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [certFile, keyFile, port, host = '127.0.0.1'] = process.argv.slice(2);
if (!certFile || !keyFile || !port) {
  process.stderr.write('usage: node scripts/bench/bare-https.mjs CERT_FILE KEY_FILE PORT [HOST]\n');
  process.exit(2);
}
createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), ca: [] }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
}).listen(Number(port), host);
