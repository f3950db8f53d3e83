import { DomainError } from './errors.js';

/** The access-control settings an operator can get wrong; the CLI names the flag for each. */
export type AccessSetting = 'tokensFile' | 'oauthIssuer';

/**
 * Access control cannot start as configured (a tokens file missing, empty or unreadable; an issuer
 * whose metadata cannot be read). Stopping is the safe answer: serving without the check would let
 * everyone in.
 */
export class AccessSettingError extends DomainError {
  constructor(
    readonly setting: AccessSetting,
    message: string,
  ) {
    super('auth.setting', message, { setting });
  }
}
