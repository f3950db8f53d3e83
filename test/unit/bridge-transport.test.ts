import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { BridgeTransport } from '../../src/adapters/mcp-sdk/bridge-transport.js';

/** The bridge between HTTP requests and one long-lived MCP server, with a scripted "server". */
function bridged(sessionId?: string, timeoutMs?: number) {
  const transport = new BridgeTransport(sessionId, timeoutMs);
  const seen: JSONRPCMessage[] = [];
  transport.onmessage = (m) => seen.push(m);
  const reply = (internalId: number, result: object) =>
    transport.send({ jsonrpc: '2.0', id: internalId, result } as JSONRPCMessage);
  return { transport, seen, reply };
}

describe('BridgeTransport', () => {
  it('gives concurrent requests with the same client id their own replies, with that id restored', async () => {
    const { transport, seen, reply } = bridged();
    const a = transport.request({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a' } });
    const b = transport.request({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'b' } });
    const [first, second] = seen as { id: number }[];
    expect(first?.id).not.toBe(second?.id);
    await reply(second?.id ?? -1, { from: 'b' });
    await reply(first?.id ?? -1, { from: 'a' });
    expect(await a).toEqual({ jsonrpc: '2.0', id: 1, result: { from: 'a' } });
    expect(await b).toEqual({ jsonrpc: '2.0', id: 1, result: { from: 'b' } });
    expect(transport.inFlight).toBe(0);
  });

  it('hands messages the server sends on its own to onServerMessage', async () => {
    const { transport } = bridged('s1');
    const pushed: JSONRPCMessage[] = [];
    transport.onServerMessage = (m) => pushed.push(m);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' });
    expect(pushed).toEqual([{ jsonrpc: '2.0', method: 'notifications/resources/list_changed' }]);
  });

  it('translates a cancellation to the internal id within a session', () => {
    const { transport, seen } = bridged('s1');
    void transport.request({ jsonrpc: '2.0', id: 'req-7', method: 'tools/call', params: {} });
    const internal = (seen[0] as { id: number }).id;
    transport.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'req-7' } });
    expect(seen[1]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: internal },
    });
  });

  it('answers pending requests with an error when closed, instead of leaving them hanging', async () => {
    const { transport } = bridged();
    const pending = transport.request({ jsonrpc: '2.0', id: 3, method: 'ping' });
    await transport.close();
    expect(await pending).toMatchObject({ id: 3, error: { code: -32000 } });
  });

  it('answers a request the server never answers once its deadline passes, and drops the late reply', async () => {
    const { transport, seen, reply } = bridged('s1', 20);
    const served: JSONRPCMessage[] = [];
    transport.onServerMessage = (m) => served.push(m);
    const answer = await transport.request({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: {} });
    expect(answer).toMatchObject({ id: 'slow', error: { code: -32001 } });
    expect(transport.inFlight).toBe(0);
    await reply((seen[0] as { id: number }).id, { late: true });
    expect(served).toEqual([]); // not pushed to the session's stream as if the server had said it
  });

  it('answers a request its client cancels, since the server will not', async () => {
    const { transport, seen } = bridged('s1');
    const answer = transport.request({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: {} });
    transport.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5 } });
    expect(await answer).toMatchObject({ id: 5, error: { code: -32800 } });
    const forwarded = seen[1] as unknown as { params: { requestId: number } };
    expect(forwarded.params.requestId).toBe((seen[0] as { id: number }).id);
    expect(transport.inFlight).toBe(0);
  });
});
