import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { McpTransport } from '../../src/ports/mcp-transport.js';
import { freshEach } from './fresh-each.js';

export interface MadeMcpTransport {
  readonly transport: McpTransport;
  /** Whether start() must say where clients connect (a network transport). */
  readonly hasUrl: boolean;
  /** The client end of a new connection to the started transport, found from what start() said. */
  clientTransport(started: { url?: string }): Promise<Transport>;
  cleanup(): Promise<void>;
}

/** How long a request to a stopped transport may take before the suite calls it unanswered. */
const DEAD_MS = 1000;

/**
 * What every McpTransport promises: once started, an MCP client (the SDK's own) can initialize, list
 * the tools and search; notifyResourcesChanged reaches a connected session; stop() ends service, and
 * a second stop is harmless. Run against the in-memory fake, stdio and HTTP.
 */
export function runMcpTransportContract(name: string, makeTransport: () => Promise<MadeMcpTransport>): void {
  describe(`McpTransport contract: ${name}`, () => {
    const make = freshEach<MadeMcpTransport & { clients: Client[] }>();
    const fresh = () =>
      make(async () => {
        const made = await makeTransport();
        const clients: Client[] = [];
        return {
          ...made,
          clients,
          async cleanup() {
            await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
            await made.transport.stop();
            await made.cleanup();
          },
        };
      });
    const connect = async (m: MadeMcpTransport & { clients: Client[] }, started: { url?: string }) => {
      const client = new Client({ name: 'contract', version: '1.0.0' });
      m.clients.push(client);
      await client.connect(await m.clientTransport(started));
      return client;
    };

    it('starts, saying where to connect when it has a URL', async () => {
      const m = await fresh();
      const started = await m.transport.start();
      if (m.hasUrl) expect(started.url).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
      else expect(started.url).toBeUndefined();
    });

    it('lets a client initialize, list the tools and search', async () => {
      const m = await fresh();
      const client = await connect(m, await m.transport.start());
      expect(client.getServerVersion()?.name).toBe('certdocs');
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['search', 'fetch']));
      const result = await client.callTool({ name: 'search', arguments: { query: 'createSecureContext' } });
      expect(result.isError).toBeFalsy();
      expect(JSON.stringify(result.structuredContent ?? result.content)).toContain('createSecureContext');
    });

    it('tells a connected session that the resources changed', async () => {
      const m = await fresh();
      const client = await connect(m, await m.transport.start());
      const heard = new Promise<void>((resolve) =>
        client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve()),
      );
      // A network client opens its notification stream just after initializing; until it is open a
      // notification has nowhere to go, so keep announcing (bounded) until one arrives.
      let tries = 0;
      const announcing = setInterval(() => {
        tries++;
        m.transport.notifyResourcesChanged();
      }, 50);
      m.transport.notifyResourcesChanged();
      try {
        await Promise.race([
          heard,
          new Promise((_, reject) => setTimeout(() => reject(new Error('no resources/list_changed')), 5000)),
        ]);
      } finally {
        clearInterval(announcing);
      }
      expect(tries).toBeLessThan(100);
    });

    it('does not throw when told of a change with nobody connected, or before start', async () => {
      const m = await fresh();
      expect(() => m.transport.notifyResourcesChanged()).not.toThrow();
      await m.transport.start();
      expect(() => m.transport.notifyResourcesChanged()).not.toThrow();
    });

    it('stops answering once stopped, and takes a second stop in its stride', async () => {
      const m = await fresh();
      const started = await m.transport.start();
      const client = await connect(m, started);
      await client.listTools();
      await m.transport.stop();
      await expect(m.transport.stop()).resolves.toBeUndefined();
      await expect(client.listTools(undefined, { timeout: DEAD_MS })).rejects.toThrow();
      const late = new Client({ name: 'late', version: '1.0.0' });
      m.clients.push(late);
      await expect(
        (async () => late.connect(await m.clientTransport(started), { timeout: DEAD_MS }))(),
      ).rejects.toThrow();
    });
  });
}
