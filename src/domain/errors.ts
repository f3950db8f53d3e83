/**
 * Expected failures carry a stable `code`; the edges (HTTP, MCP, CLI) translate them.
 * Anything that is not a DomainError is a bug or an outage and is reported generically.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class DocNotFoundError extends DomainError {
  constructor(
    readonly id: string,
    readonly suggestions: string[],
    /** Why no id could match, when that is known without looking (e.g. it is too long). */
    reason?: string,
  ) {
    const hint = suggestions.length
      ? ` Closest ids: ${suggestions.map((s) => `"${s}"`).join(', ')}.`
      : ' Use the search or list_documents tool to find valid ids.';
    const shown = id.length > ECHO_CHARS ? `${id.slice(0, ECHO_CHARS)}…` : id;
    super(
      'docs.not_found',
      `No document or section has the id "${shown}"${reason ? ` (${reason})` : ''}.${hint}`,
      {
        id: shown,
        suggestions,
      },
    );
  }
}

/** How much of a client's input an error message repeats. */
const ECHO_CHARS = 100;

export class InvalidQueryError extends DomainError {
  constructor(message: string) {
    super('docs.invalid_query', message);
  }
}

export class DocSourceError extends DomainError {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super('docs.source_failed', `Cannot load docs from ${source}: ${reason}`, { source });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/**
 * The certificate store holds private keys it cannot read with the configured store key (a wrong
 * key, or none given for encrypted keys). Fatal at start-up: ordering a new certificate instead
 * would hide the mistake and burn the CA's rate limit.
 */
export class StoreKeyError extends DomainError {
  constructor(
    readonly problem: 'wrong_key' | 'key_missing',
    message: string,
  ) {
    super(`store.${problem}`, message);
  }
}

/**
 * A certificate store refused a save carrying the fencing token of a lease that ran out: a later
 * holder (a greater token) saved first. Expected with replicas; the writer uses what was stored.
 */
export class StaleFencingTokenError extends DomainError {
  constructor(
    readonly storeName: string,
    readonly fencingToken: number,
    readonly highest: number,
  ) {
    super(
      'store.stale_fencing_token',
      `the save of ${storeName} with fencing token ${fencingToken} was refused: a save with token ${highest} came first`,
      { name: storeName, fencingToken, highest },
    );
  }
}
