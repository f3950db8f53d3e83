/**
 * Where HTTP-01 key authorizations wait for the CA, by token. Shared by every replica when they
 * share a store: the CA's request may land on any replica, not the one that ordered.
 */
export interface ChallengeAnswers {
  /** Keeps `keyAuthorization` for `token` for at most `ttlMs` (an answer left behind expires). */
  put(token: string, keyAuthorization: string, ttlMs: number): Promise<void>;
  /** The key authorization for `token`, or undefined when there is none (never put, removed, expired). */
  get(token: string): Promise<string | undefined>;
  remove(token: string): Promise<void>;
}

export const CHALLENGE_ANSWERS = Symbol.for('certdocs.ChallengeAnswers');
