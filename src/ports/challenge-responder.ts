/** Serves ACME HTTP-01 key authorizations at /.well-known/acme-challenge/{token}. */
export interface ChallengeResponder {
  present(token: string, keyAuthorization: string): Promise<void>;
  remove(token: string): Promise<void>;
}

export const CHALLENGE_RESPONDER = Symbol.for('certdocs.ChallengeResponder');
