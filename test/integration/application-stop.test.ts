import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.js';
import { composeServer } from '../../src/app/container.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { DOC_SOURCE } from '../../src/ports/doc-source.js';
import { LOGGER } from '../../src/ports/logger.js';
import { MCP_TRANSPORT, type McpTransport } from '../../src/ports/mcp-transport.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { MemoryLogger } from '../fakes/memory-logger.js';

// Integration: the configuration is parsed for real, and parsing checks that --docs exists on disk.
describe('Application.stop', () => {
  it('still saves the index when the transport fails to stop, and resolves', async () => {
    const parsed = parseConfig(['--docs', '.', '--port', '0', '--log-level', 'silent'], {});
    if (parsed.ok !== true) throw new Error('config did not parse');
    const logger = new MemoryLogger();
    const transport: McpTransport = {
      start: async () => ({ url: 'http://fake' }),
      notifyResourcesChanged: () => undefined,
      stop: async () => {
        throw new Error('EBUSY');
      },
    };
    let closed = false;
    const app = composeServer(parsed.config, {
      override: (c) => {
        c.register(LOGGER, { useValue: logger });
        c.register(DOC_SOURCE, { useValue: InMemoryDocSource.of({ 'a.md': '# A\n\nalpha' }) });
        c.register(MCP_TRANSPORT, { useValue: transport });
        const docs = c.resolve(ServeDocs);
        const close = docs.close.bind(docs);
        docs.close = async () => {
          closed = true;
          await close();
        };
      },
    });

    await app.start();
    await expect(app.stop()).resolves.toBeUndefined();
    expect(closed).toBe(true);
    expect(logger.has('error', 'shutdown: MCP transport failed')).toBe(true);
  });
});
