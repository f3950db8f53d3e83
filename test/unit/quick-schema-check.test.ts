import { safeParse } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { CallToolRequestSchema, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { surelyRequest, surelyToolCallParams } from '../../src/adapters/mcp-sdk/quick-json-rpc.js';
import { quickCheck, quickPick } from '../../src/adapters/mcp-sdk/quick-schema-check.js';

const schema = z.object({
  id: z.string().min(2).max(4),
  n: z.number().int().min(0).max(10).optional(),
  x: z.number().gt(0).lt(1).nullable().optional(),
  tags: z.array(z.string()),
  meta: z.object({ on: z.boolean(), at: z.number().nullable() }),
});

const VALUES: unknown[] = [
  { id: 'ab', tags: [], meta: { on: true, at: null } },
  { id: 'abcd', n: 10, x: 0.5, tags: ['a'], meta: { on: false, at: 3 }, extra: 1 },
  { id: 'a', tags: [], meta: { on: true, at: null } },
  { id: 'abcde', tags: [], meta: { on: true, at: null } },
  { id: '😀😀', tags: [], meta: { on: true, at: null } },
  { id: '😀😀😀', tags: [], meta: { on: true, at: null } },
  { id: '😀😀😀😀😀', tags: [], meta: { on: true, at: null } },
  { id: '😀', tags: [], meta: { on: true, at: null } },
  { id: 'a😀', tags: [], meta: { on: true, at: null } },
  { id: 'ab', n: 11, tags: [], meta: { on: true, at: null } },
  { id: 'ab', n: 1.5, tags: [], meta: { on: true, at: null } },
  { id: 'ab', n: -1, tags: [], meta: { on: true, at: null } },
  { id: 'ab', x: 1, tags: [], meta: { on: true, at: null } },
  { id: 'ab', x: 0, tags: [], meta: { on: true, at: null } },
  { id: 'ab', x: null, tags: [], meta: { on: true, at: null } },
  { id: 'ab', n: undefined, tags: [], meta: { on: true, at: null } },
  { id: 'ab', n: Number.NaN, tags: [], meta: { on: true, at: null } },
  { id: 'ab', tags: [1], meta: { on: true, at: null } },
  { id: 'ab', tags: 'a', meta: { on: true, at: null } },
  { id: 'ab', tags: [], meta: { on: 1, at: null } },
  { id: 'ab', tags: [], meta: null },
  { id: 'ab', tags: [] },
  [],
  null,
  'ab',
];

describe('quick schema checks', () => {
  const quick = quickCheck(schema);
  it('understand strings, numbers, booleans, arrays, objects, optional and nullable', () => {
    expect(quick).toBeDefined();
  });

  it.each(VALUES.map((v) => [JSON.stringify(v) ?? String(v), v]))('pass %s only if zod does', (_, v) => {
    expect(!quick?.(v) || safeParse(schema, v).success).toBe(true);
  });

  it('pass the common valid values (else they would save nothing)', () => {
    expect(VALUES.slice(0, 2).map((v) => quick?.(v))).toEqual([true, true]);
  });

  it('give up on what they do not understand (zod then decides)', () => {
    expect(quickCheck(z.object({ s: z.string().email() }))).toBeUndefined();
    expect(quickCheck(z.strictObject({ s: z.string() }))).toBeUndefined();
    expect(quickCheck(z.object({ s: z.string().default('a') }))).toBeUndefined();
    expect(quickCheck(z.object({ s: z.union([z.string(), z.number()]) }))).toBeUndefined();
  });

  it('pick arguments as zod parses them (unknown keys stripped)', () => {
    const flat = z.object({ id: z.string(), offset: z.number().optional() });
    const pick = quickPick(flat);
    for (const v of [{ id: 'a' }, { id: 'a', offset: 3, extra: true }]) {
      const parsed = safeParse(flat, v);
      expect(parsed.success && pick?.(v)).toEqual(parsed.success && parsed.data);
    }
    expect(quickPick(schema)).toBeUndefined();
  });
});

describe('quick JSON-RPC checks', () => {
  const MESSAGES: unknown[] = [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fetch', arguments: { id: 'a' } } },
    { jsonrpc: '2.0', id: 's', method: 'tools/list' },
    { jsonrpc: '2.0', id: 1.5, method: 'x' },
    { jsonrpc: '2.0', id: 2 ** 60, method: 'x' },
    { jsonrpc: '2.0', id: null, method: 'x' },
    { jsonrpc: '1.0', id: 1, method: 'x' },
    { jsonrpc: '2.0', id: 1, method: 'x', extra: 1 },
    { jsonrpc: '2.0', id: 1, method: 'x', params: [] },
    { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: 1 } },
    { jsonrpc: '2.0', id: 1, method: 7 },
    JSON.parse('{"jsonrpc":"2.0","id":1,"method":"x","__proto__":{}}'),
  ];
  it.each(MESSAGES.map((m) => [JSON.stringify(m), m]))('call %s a request only if the SDK does', (_, m) => {
    expect(!surelyRequest(m) || isJSONRPCRequest(m)).toBe(true);
  });
  it('call the common request a request', () => {
    expect(MESSAGES.slice(0, 2).map(surelyRequest)).toEqual([true, true]);
  });

  const PARAMS: unknown[] = [
    { name: 'fetch', arguments: { id: 'a' } },
    { name: 'fetch' },
    { name: 'fetch', arguments: [] },
    { name: 'fetch', arguments: null },
    { name: 7 },
    { name: 'fetch', task: { ttl: 'x' } },
    { name: 'fetch', _meta: 'x' },
    null,
  ];
  it.each(PARAMS.map((p) => [JSON.stringify(p), p]))(
    'pass tools/call params %s only if the SDK does',
    (_, p) => {
      const m = { method: 'tools/call', params: p };
      expect(!surelyToolCallParams(p) || CallToolRequestSchema.safeParse(m).success).toBe(true);
    },
  );
  it('pass the common params', () => {
    expect(PARAMS.slice(0, 2).map(surelyToolCallParams)).toEqual([true, true]);
  });
});
