import type { LogFields } from '../../ports/logger.js';

export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets wherever they appear: private keys, the EAB HMAC key, tokens,
 * ACME key authorizations, passwords. Compared lowercased, without `_` and `-`.
 */
const SECRET_NAME =
  /(?:^(?:eab|hmac|authorization|cookie|setcookie|credentials?)$|pem$|privatekey$|hmackey$|apikey$|token$|keyauthorization$|password$|passphrase$|secret$)/;

const PRIVATE_KEY_PEM =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** An ACME key authorization: token "." base64url(SHA-256 JWK thumbprint), 43 characters. */
const KEY_AUTHORIZATION = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
/** `hmacKey=…`, `"token": "…"` and the like inside a message (a stringified config, a URL query). */
const NAMED_IN_TEXT =
  /(["']?)(eab[_-]?hmac[_-]?key|hmac[_-]?key|hmac|private[_-]?key|key[_-]?pem|access[_-]?token|refresh[_-]?token|token|key[_-]?authorization|password|passphrase|secret|api[_-]?key)\1(\s*[:=]\s*)(["']?)[^\s"'&,;}]+\4/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[_-]/g, ''));
}

/** Removes private keys, bearer credentials, key authorizations and `secret=value` pairs from text. */
export function redactText(text: string): string {
  return text
    .replace(PRIVATE_KEY_PEM, '[REDACTED PRIVATE KEY]')
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(KEY_AUTHORIZATION, REDACTED)
    .replace(NAMED_IN_TEXT, `$1$2$1$3$4${REDACTED}$4`);
}

/**
 * A copy of `fields` fit for a log line: values under secret names are replaced, strings (at any
 * depth, Error messages and stacks included) are scrubbed with redactText.
 */
export function redactFields(fields: LogFields): LogFields {
  return redactValue(fields, new WeakSet()) as LogFields;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    return redactValue({ type: value.name, message: value.message, stack: value.stack }, seen);
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen));
  if (ArrayBuffer.isView(value)) return REDACTED;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, seen);
  }
  return out;
}
