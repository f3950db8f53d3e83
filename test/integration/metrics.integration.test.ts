/**
 * /metrics as a scraper sees it: the application composed as main does, on real sockets on
 * 127.0.0.1, an MCP search made, then the exposition read. By default on the MCP listener (behind
 * its Host guard; HTTPS with a domain), with --metrics-port on a plain-HTTP listener of its own,
 * and with --metrics-port off nowhere.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AcmeClientAdapter } from '../../src/adapters/acme-client/acme-client-adapter.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { type AppConfig, parseConfig } from '../../src/app/config.js';
import { ACME_CLIENT } from '../../src/ports/acme-client.js';
import { sample } from '../contract/metrics.contract.js';
import { type PebbleHarness, startPebble } from '../harness/pebble.mjs';
import { startServer } from '../support/start-server.js';
import {
  connectionRefused,
  DOMAIN,
  freePort,
  httpGet,
  httpsGet,
  LOOPBACK,
  pebbleSkipReason,
  pinnedFetch,
} from './https-helpers.js';

let docsDir: string;
beforeAll(async () => {
  docsDir = await mkdtemp(path.join(os.tmpdir(), 'certdocs-metrics-docs-'));
  await writeFile(
    path.join(docsDir, 'lighthouse.md'),
    '# Lighthouse\n\nThe lighthouse keeper trims the lamp.\n',
  );
  await writeFile(path.join(docsDir, 'harbour.md'), '# Harbour\n\n## Moorings\n\nBoats moor at night.\n');
});
afterAll(() => rm(docsDir, { recursive: true, force: true }));

function configFrom(argv: string[]): AppConfig {
  const parsed = parseConfig(['--docs', docsDir, '--log-level', 'error', '--host', LOOPBACK, ...argv], {});
  if (parsed.ok !== true) throw new Error(`config did not parse: ${JSON.stringify(parsed)}`);
  return parsed.config;
}

const portOf = (url: string | undefined) => Number(new URL(url ?? 'http://x:0').port);

async function searchOverMcp(url: URL, fetch?: FetchLike): Promise<void> {
  const client = new Client({ name: 'certdocs-metrics-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { fetch }));
  try {
    const result = (await client.callTool({
      name: 'search',
      arguments: { query: 'lighthouse keeper' },
    })) as CallToolResult;
    expect(result.isError ?? false).toBe(false);
  } finally {
    await client.close();
  }
}

const searchCall = { transport: 'streamable-http', method: 'tools/call', tool: 'search', outcome: 'ok' };

describe('/metrics on the MCP listener (the default)', () => {
  it('shows the MCP search just made, the index and the process, and counts up', async () => {
    const app = await startServer(configFrom(['--port', '0']));
    onTestFinished(() => app.stop());
    const port = portOf(app.url);

    await searchOverMcp(new URL(`http://${LOOPBACK}:${port}/mcp`));
    const first = await httpGet(port, '/metrics');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(first.body, 'certdocs_requests_total', searchCall)).toBe(1);
    expect(
      sample(first.body, 'certdocs_requests_total', {
        transport: 'streamable-http',
        method: 'initialize',
        tool: '',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      sample(first.body, 'certdocs_request_duration_seconds_count', {
        transport: 'streamable-http',
        method: 'tools/call',
        tool: 'search',
      }),
    ).toBe(1);
    expect(sample(first.body, 'certdocs_search_duration_seconds_count')).toBe(1);
    expect(sample(first.body, 'certdocs_index_documents')).toBe(2);
    expect(sample(first.body, 'certdocs_index_sections')).toBeGreaterThanOrEqual(3);
    expect(sample(first.body, 'certdocs_index_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(first.body).toMatch(/^process_resident_memory_bytes \d+/m);
    // No certificate without a domain: no series, rather than a misleading 0.
    expect(first.body).not.toMatch(/^certdocs_certificate_not_after_timestamp_seconds\{/m);

    await searchOverMcp(new URL(`http://${LOOPBACK}:${port}/mcp`));
    expect((await httpGet(port, '/api/search?q=harbour')).status).toBe(200);
    const second = (await httpGet(port, '/metrics')).body;
    expect(sample(second, 'certdocs_requests_total', searchCall)).toBe(2);
    expect(sample(second, 'certdocs_search_duration_seconds_count')).toBe(3);
    expect(
      sample(second, 'certdocs_requests_total', {
        transport: 'api',
        method: 'search',
        tool: '',
        outcome: 'ok',
      }),
    ).toBe(1);
  });

  it('is behind the Host guard, like every route of that listener', async () => {
    const app = await startServer(configFrom(['--port', '0']));
    onTestFinished(() => app.stop());
    const res = await httpGet(portOf(app.url), '/metrics', 'evil.example');
    expect(res.status).toBe(403);
  });
});

describe('/metrics with --metrics-port', () => {
  it('is on its own plain-HTTP port, without the Host guard, and no longer on the MCP listener', async () => {
    const metricsPort = await freePort();
    const app = await startServer(configFrom(['--port', '0', '--metrics-port', String(metricsPort)]));
    onTestFinished(() => app.stop());
    const port = portOf(app.url);

    await searchOverMcp(new URL(`http://${LOOPBACK}:${port}/mcp`));
    // Prometheus scrapes by address, whatever Host that makes.
    const scraped = await httpGet(metricsPort, '/metrics', '10.1.2.3:9464');
    expect(scraped.status).toBe(200);
    expect(sample(scraped.body, 'certdocs_requests_total', searchCall)).toBe(1);
    expect((await httpGet(metricsPort, '/mcp')).status).toBe(404);
    expect((await httpGet(port, '/metrics')).status).toBe(404);

    await app.stop();
    expect(await connectionRefused(metricsPort)).toBe(true);
  });
});

describe('/metrics with --metrics-port off', () => {
  it('is not served anywhere', async () => {
    const app = await startServer(configFrom(['--port', '0', '--metrics-port', 'off']));
    onTestFinished(() => app.stop());
    const port = portOf(app.url);
    await searchOverMcp(new URL(`http://${LOOPBACK}:${port}/mcp`));
    expect((await httpGet(port, '/metrics')).status).toBe(404);
  });
});

const PEBBLE_SKIP = pebbleSkipReason();
describe.skipIf(Boolean(PEBBLE_SKIP))(
  `/metrics with a domain${PEBBLE_SKIP ? ` (skipped: ${PEBBLE_SKIP})` : ''}`,
  () => {
    let pebble: PebbleHarness;
    let tmp: string;
    beforeAll(async () => {
      pebble = await startPebble();
      tmp = await mkdtemp(path.join(os.tmpdir(), 'certdocs-metrics-certs-'));
    });
    afterAll(async () => {
      await pebble?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('is served over HTTPS on the MCP listener, with the certificate and its order', {
      timeout: 30_000,
    }, async () => {
      const agent = new https.Agent({ ca: pebble.caCertPem });
      onTestFinished(() => agent.destroy());
      const config = configFrom([
        '--domain',
        DOMAIN,
        '--acme-directory',
        pebble.directoryUrl,
        '--accept-tos',
        '--port',
        '0',
        '--acme-port',
        String(pebble.httpPort),
        '--certs-dir',
        tmp,
      ]);
      const app = await startServer(config, {
        override: (c) =>
          c.register(ACME_CLIENT, {
            useValue: new AcmeClientAdapter(
              { directoryUrl: pebble.directoryUrl, httpsAgent: agent },
              new SystemClock(),
            ),
          }),
      });
      onTestFinished(() => app.stop());
      const port = portOf(app.url);
      const root = await pebble.rootPem();
      const fetch = pinnedFetch(root);
      onTestFinished(() => fetch.agent.destroy());
      await searchOverMcp(new URL(`https://${DOMAIN}:${port}/mcp`), fetch);

      const scraped = await httpsGet(port, '/metrics', root);
      expect(scraped.status).toBe(200);
      expect(sample(scraped.body, 'certdocs_requests_total', searchCall)).toBe(1);
      expect(sample(scraped.body, 'certdocs_certificate_orders_total')).toBe(1);
      const notAfter = sample(scraped.body, 'certdocs_certificate_not_after_timestamp_seconds', {
        name: DOMAIN,
      });
      expect(notAfter).toBeGreaterThan(Date.now() / 1000);
      const renewIn = sample(scraped.body, 'certdocs_certificate_renewal_in_seconds', { name: DOMAIN });
      expect(renewIn).toBeGreaterThan(0);
      expect(renewIn).toBeLessThan((notAfter as number) - Date.now() / 1000);
      // Not on plain HTTP: the ACME port redirects there.
      expect((await httpGet(pebble.httpPort, '/metrics', DOMAIN)).status).toBe(301);
    });
  },
);
