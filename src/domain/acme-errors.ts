import { DomainError } from './errors.js';

const PROBLEM_PREFIX = 'urn:ietf:params:acme:error:';

/**
 * A failed ACME exchange, keeping what acme-client throws away: the RFC 8555 problem type,
 * the HTTP status and Retry-After. `code` is stable for logs and metrics.
 */
export class AcmeError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly problemType?: string,
    readonly status?: number,
    /** Milliseconds the CA asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, { problemType, status, retryAfterMs });
  }

  /** Whether trying again later can help (vs. a configuration problem the operator must fix). */
  get retryable(): boolean {
    return !FATAL_CODES.has(this.code);
  }

  static fromProblem(p: {
    type?: string;
    detail?: string;
    status?: number;
    retryAfterMs?: number;
  }): AcmeError {
    const short = p.type?.startsWith(PROBLEM_PREFIX) ? p.type.slice(PROBLEM_PREFIX.length) : undefined;
    const code = short
      ? (CODE_BY_TYPE[short] ?? `acme.${snake(short)}`)
      : p.status
        ? 'acme.http_error'
        : 'acme.error';
    const detail = p.detail ?? (p.status ? `HTTP ${p.status}` : 'unknown ACME error');
    return new AcmeError(code, detail, p.type, p.status, p.retryAfterMs);
  }
}

/** The part of the ACME configuration an error is about: the edge names the matching option. */
export type AcmeSetting = 'terms' | 'profile' | 'eab' | 'challenges' | 'directory';

/** A failure the operator fixes by changing one setting; retrying cannot help. */
export class AcmeSettingError extends AcmeError {
  constructor(
    code: string,
    readonly setting: AcmeSetting,
    message: string,
  ) {
    super(code, message);
  }

  override get retryable(): boolean {
    return false;
  }
}

const CODE_BY_TYPE: Record<string, string> = {
  rateLimited: 'acme.rate_limited',
  badNonce: 'acme.bad_nonce',
  connection: 'acme.challenge_failed',
  dns: 'acme.challenge_failed',
  incorrectResponse: 'acme.challenge_failed',
  tls: 'acme.challenge_failed',
  unauthorized: 'acme.unauthorized',
  accountDoesNotExist: 'acme.account_does_not_exist',
  rejectedIdentifier: 'acme.rejected_identifier',
  externalAccountRequired: 'acme.eab_required',
  userActionRequired: 'acme.tos_required',
  malformed: 'acme.malformed',
  alreadyReplaced: 'acme.already_replaced',
  invalidProfile: 'acme.invalid_profile',
};

const FATAL_CODES = new Set([
  'acme.tos_required',
  'acme.eab_required',
  'acme.rejected_identifier',
  'acme.invalid_profile',
  'acme.config',
  // A wrong EAB key or a refused account: retrying with the same credentials cannot help.
  'acme.unauthorized',
  'acme.invalid_contact',
  'acme.unsupported_contact',
  'acme.unsupported_identifier',
]);

function snake(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
