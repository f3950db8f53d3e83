import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BodyOutcome, readBody } from '../../src/adapters/hono/read-body.js';

const LOOPBACK = '127.0.0.1';
const MAX = 64;

/** readBody on Node's request, as the Hono app calls it under @hono/node-server. */
describe('readBody over a real socket', () => {
  let server: http.Server;
  let port: number;
  const outcomes: BodyOutcome[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // Once the request has been parsed, as a route does after its middleware.
      setImmediate(async () => {
        const outcome = await readBody({ env: { incoming: req } } as unknown as Context, MAX);
        outcomes.push(outcome);
        res.end(JSON.stringify(outcome));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** POSTs `parts` with a pause between them; chunked when no length is declared. */
  function post(parts: string[], length?: number): Promise<BodyOutcome> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (length !== undefined) headers['content-length'] = String(length);
      const req = http.request({ host: LOOPBACK, port, method: 'POST', path: '/', headers, agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(JSON.parse(text) as BodyOutcome));
      });
      const send = (i: number) => {
        if (i === parts.length) return req.end();
        req.write(parts[i]);
        setTimeout(() => send(i + 1), 30);
      };
      send(0);
    });
  }

  it('reads a body that came with the headers (taken from the buffer at once)', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    expect(await post([body], Buffer.byteLength(body))).toEqual({ ok: true, text: body });
  });

  it('reads a body that trickles in (through the stream), UTF-8 split across writes', async () => {
    const parts = ['{"q":"caf', 'é ›"}'];
    const length = parts.reduce((n, p) => n + Buffer.byteLength(p), 0);
    expect(await post(parts, length)).toEqual({ ok: true, text: '{"q":"café ›"}' });
  });

  it('refuses a declared length over the limit, and an undeclared body that grows past it', async () => {
    expect(await post(['x'.repeat(MAX + 1)], MAX + 1)).toEqual({ ok: false, reason: 'too_large' });
    expect(await post(['x'.repeat(40), 'x'.repeat(40)])).toEqual({ ok: false, reason: 'too_large' });
    expect(await post(['x'.repeat(MAX + 1)])).toEqual({ ok: false, reason: 'too_large' });
  });
});
