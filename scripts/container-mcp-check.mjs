#!/usr/bin/env node
// One MCP round trip against a running certdocs, the way a client makes it: the SDK's Client over
// Streamable HTTP, initialize, tools/list, then a `search` that must return at least one result.
// Used by scripts/test-container.sh against the container.
//
//   node scripts/container-mcp-check.mjs URL QUERY [--resolve NAME=IP]
//
// --resolve answers NAME with IP without DNS (like curl's --resolve), so an HTTPS URL can name the
// certificate's domain while the server listens on loopback. Trust a private CA with
// NODE_EXTRA_CA_CERTS. Prints one line; exits 0 on success, 1 otherwise.
import dns from 'node:dns';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { resolve: { type: 'string', multiple: true } },
});
const [url, query] = positionals;
if (!url || !query) {
  console.error('usage: container-mcp-check.mjs URL QUERY [--resolve NAME=IP]');
  process.exit(2);
}

// fetch connects through dns.lookup: answer the given names from the table.
const table = new Map((values.resolve ?? []).map((r) => r.split('=')));
const lookup = dns.lookup;
dns.lookup = (hostname, options, callback) => {
  const cb = typeof options === 'function' ? options : callback;
  const opts =
    typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : options;
  const ip = table.get(hostname);
  if (ip === undefined) return lookup(hostname, options, callback);
  const family = ip.includes(':') ? 6 : 4;
  return opts.all ? cb(null, [{ address: ip, family }]) : cb(null, ip, family);
};

const client = new Client({ name: 'certdocs-container-check', version: '1.0.0' });
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const { tools } = await client.listTools();
  if (!tools.some((t) => t.name === 'search'))
    throw new Error(`no search tool (tools: ${tools.map((t) => t.name)})`);
  const res = await client.callTool({ name: 'search', arguments: { query } });
  if (res.isError) throw new Error(`search failed: ${JSON.stringify(res.content)}`);
  const results = res.structuredContent?.results ?? [];
  if (results.length === 0)
    throw new Error(`search "${query}" found nothing: ${JSON.stringify(res.structuredContent)}`);
  console.log(`mcp ok: ${url} search "${query}" -> ${results.length} results, first "${results[0].title}"`);
  await client.close();
  process.exit(0);
} catch (e) {
  console.log(`mcp FAILED: ${url}: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`);
  process.exit(1);
}
