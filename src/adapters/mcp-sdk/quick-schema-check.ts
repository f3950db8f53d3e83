import type { AnySchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';

/**
 * A hand-compiled test a value surely passes a zod schema: true only when zod would accept it,
 * false when unsure (then zod decides, and any error is zod's own). Only what certdocs' tool schemas
 * use is understood (strings, finite numbers and their length/bound/integer checks, booleans, arrays,
 * non-strict objects, optional, nullable); a schema with anything else gets no quick check.
 */
export type QuickCheck = (value: unknown) => boolean;

interface ZodCheckDef {
  check?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
}
interface ZodDef {
  type?: string;
  checks?: { _zod?: { def?: ZodCheckDef } }[];
  innerType?: AnySchema;
  element?: AnySchema;
  shape?: Record<string, AnySchema>;
  catchall?: AnySchema;
}

function defOf(schema: AnySchema): ZodDef | undefined {
  return (schema as { _zod?: { def?: ZodDef } })._zod?.def;
}

/** The quick check of a zod 4 schema, or undefined when it uses anything not understood here. */
export function quickCheck(schema: AnySchema): QuickCheck | undefined {
  const def = defOf(schema);
  if (!def) return undefined;
  const checks = (def.checks ?? []).map((c) => c._zod?.def);
  if (checks.some((c) => c === undefined)) return undefined;
  switch (def.type) {
    case 'string':
      return stringCheck(checks as ZodCheckDef[]);
    case 'number':
      return numberCheck(checks as ZodCheckDef[]);
    case 'boolean':
      return checks.length === 0 ? (v) => typeof v === 'boolean' : undefined;
    case 'optional':
    case 'nullable': {
      const inner = checks.length === 0 && def.innerType ? quickCheck(def.innerType) : undefined;
      if (!inner) return undefined;
      // An optional key is left out by JSON, never undefined: undefined is zod's to judge.
      return def.type === 'nullable' ? (v) => v === null || inner(v) : inner;
    }
    case 'array': {
      const element = checks.length === 0 && def.element ? quickCheck(def.element) : undefined;
      if (!element) return undefined;
      return (v) => Array.isArray(v) && v.every(element);
    }
    case 'object':
      return checks.length === 0 && def.catchall === undefined ? objectCheck(def.shape ?? {}) : undefined;
    default:
      return undefined;
  }
}

function objectCheck(shape: Record<string, AnySchema>): QuickCheck | undefined {
  const fields: [string, QuickCheck, boolean][] = [];
  for (const [key, field] of Object.entries(shape)) {
    const check = quickCheck(field);
    if (!check) return undefined;
    fields.push([key, check, defOf(field)?.type === 'optional']);
  }
  return (v) => {
    if (!isPlainObject(v)) return false;
    for (const [key, check, optional] of fields) {
      const x = v[key];
      if (x === undefined ? !optional || key in v : !check(x)) return false;
    }
    return true;
  };
}

function stringCheck(checks: ZodCheckDef[]): QuickCheck | undefined {
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  for (const c of checks) {
    if (c.check === 'min_length' && typeof c.minimum === 'number') min = Math.max(min, c.minimum);
    else if (c.check === 'max_length' && typeof c.maximum === 'number') max = Math.min(max, c.maximum);
    else return undefined;
  }
  // Zod counts code points; a string of n UTF-16 units has between ceil(n/2) and n of them. Within
  // max in units, it is within max; at 2·min units or more, it reaches min; in between, count.
  return (v) => typeof v === 'string' && v.length <= max && (v.length >= 2 * min || codePoints(v) >= min);
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function numberCheck(checks: ZodCheckDef[]): QuickCheck | undefined {
  const tests: ((n: number) => boolean)[] = [];
  for (const c of checks) {
    const bound = c.value;
    if (c.check === 'number_format' && c.format === 'safeint') tests.push(Number.isSafeInteger);
    else if (c.check === 'greater_than' && typeof bound === 'number')
      tests.push(c.inclusive ? (n) => n >= bound : (n) => n > bound);
    else if (c.check === 'less_than' && typeof bound === 'number')
      tests.push(c.inclusive ? (n) => n <= bound : (n) => n < bound);
    else return undefined;
  }
  return (v) => typeof v === 'number' && Number.isFinite(v) && tests.every((t) => t(v));
}

/** An object literal or JSON.parse's: no prototype of its own, no array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * What zod's parse of a flat object schema of primitives gives for a value its quick check passed:
 * the shape's keys it holds (unknown keys stripped, as z.object does). Undefined for other shapes.
 */
export function quickPick(schema: AnySchema): ((value: Record<string, unknown>) => object) | undefined {
  const def = defOf(schema);
  if (def?.type !== 'object' || !def.shape) return undefined;
  const primitive = new Set(['string', 'number', 'boolean']);
  for (const field of Object.values(def.shape)) {
    const d = defOf(field);
    const t =
      d?.type === 'optional' || d?.type === 'nullable' ? defOf(d.innerType as AnySchema)?.type : d?.type;
    if (!t || !primitive.has(t)) return undefined;
  }
  const keys = Object.keys(def.shape);
  return (value) => {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (key in value) out[key] = value[key];
    return out;
  };
}
