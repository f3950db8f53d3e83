import { isPlainObject } from './quick-schema-check.js';

/**
 * Quick tests of the common valid shapes, before the SDK's zod schemas: true only when the schema
 * surely accepts the message, false when unsure (the schema then decides, so every error stays the
 * schema's).
 */

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/** Surely a JSONRPCRequest (a strict object: these keys only; id a string or a safe integer). */
export function surelyRequest(m: unknown): boolean {
  if (!isPlainObject(m)) return false;
  for (const key in m) if (!REQUEST_KEYS.has(key)) return false;
  const { id, params } = m;
  return (
    m.jsonrpc === '2.0' &&
    (typeof id === 'string' || Number.isSafeInteger(id)) &&
    typeof m.method === 'string' &&
    (params === undefined ? !('params' in m) : isPlainObject(params) && !('_meta' in params))
  );
}

/** Surely a valid CallToolRequest's params: a name, plain arguments if any, no _meta or task. */
export function surelyToolCallParams(params: unknown): boolean {
  if (!isPlainObject(params) || typeof params.name !== 'string' || '_meta' in params || 'task' in params)
    return false;
  const args = params.arguments;
  return args === undefined ? !('arguments' in params) : isPlainObject(args);
}
