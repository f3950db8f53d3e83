export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0..1: how much of each delay is randomized, so many servers do not retry in lockstep. */
  readonly jitter: number;
}

/** Caddy-like: 1 min, 2 min, 4 min … capped at 6 h. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 60_000,
  maxMs: 6 * 3_600_000,
  factor: 2,
  jitter: 0.2,
};

/**
 * Delay before retry number `attempt` (0-based). A CA's Retry-After is a floor, never shortened:
 * retrying a rate limit early only extends it.
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const jittered = base * (1 - policy.jitter + 2 * policy.jitter * random());
  const capped = Math.min(policy.maxMs, Math.round(jittered));
  return retryAfterMs !== undefined ? Math.max(capped, retryAfterMs) : capped;
}
