/**
 * Value objects of the configuration: each is made by one parser here, so code downstream takes
 * the type as proof and does not check again. A parser returns the value or a problem in words,
 * which config.ts prefixes with the flag and its environment variable.
 */

/** A TCP port to listen on; 0 asks the OS for a free one where that makes sense. */
export type Port = number & { readonly __brand: 'Port' };

/** A length of time in milliseconds. */
export type Duration = number & { readonly __brand: 'Duration' };

/** At most `requests` per client in each window of `windowMs` (a fixed window, counted per address). */
export interface RateLimit {
  readonly requests: number;
  readonly windowMs: Duration;
}

export type Parsed<T> = { readonly value: T } | { readonly problem: string };

/**
 * Port 0 asks the OS for a free port (tests, side-by-side instances); the ACME port must be real.
 * (Checked by hand, not with a schema library: importing zod here put ~40 ms on every start-up's
 * critical path for what are a handful of checks.)
 */
export function parsePort(text: string, min: 0 | 1): Parsed<Port> {
  const v = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(v)) return { problem: 'must be a number' };
  const n = Number(v);
  if (!Number.isInteger(n)) return { problem: 'must be a whole number' };
  if (n < min || n > 65535) return { problem: `must be from ${min} to 65535` };
  return { value: n as Port };
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `300` (seconds), `30s`, `5m`, `1h` or `250ms`. */
export function parseDuration(text: string): Parsed<Duration> {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return { problem: 'must be a duration (e.g. 300, 30s, 5m, 1h)' };
  const unit = (match[2] as keyof typeof UNIT_MS | undefined) ?? 's';
  return { value: (Number(match[1]) * UNIT_MS[unit]) as Duration };
}

const RATE_WINDOW_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `10/s`, `600/m` or `5000/h`: a whole number of requests, at least 1, per second, minute or hour. */
export function parseRateLimit(text: string): Parsed<RateLimit> {
  const match = /^(\d+)\/(s|m|h)$/.exec(text.trim());
  const requests = match ? Number(match[1]) : 0;
  if (!match || requests < 1) return { problem: 'must be requests per s, m or h (e.g. 10/s, 600/m) or off' };
  const windowMs = RATE_WINDOW_MS[match[2] as keyof typeof RATE_WINDOW_MS] as Duration;
  return { value: { requests, windowMs } };
}
