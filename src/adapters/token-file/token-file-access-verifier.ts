import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AccessSettingError } from '../../domain/access-errors.js';
import { type AccessDecision, type AccessVerifier, bearerToken } from '../../ports/access-verifier.js';
import type { Logger } from '../../ports/logger.js';
import { debouncedWatch } from '../filesystem/debounced-watch.js';
import { parseTokens, TokenStore } from './token-store.js';

/** How the verifier reads and watches its file; tests hand in memory instead. */
export interface TokenFileIo {
  read(path: string): string;
  /** Calls `onChange` (debounced) when the file may have changed; returns a stopper. */
  watch(path: string, onChange: () => void, onError: (e: Error) => void): () => void;
}

export const NODE_TOKEN_FILE_IO: TokenFileIo = {
  read: (path) => readFileSync(path, 'utf8'),
  // The folder, not the file: editors and `mv` replace the file, and a watch on the old one goes
  // quiet. Any change in the folder rereads the file; an unchanged file changes nothing.
  watch: (path, onChange, onError) => debouncedWatch(dirname(path), false, onChange, onError),
};

/**
 * `--auth token`: static bearer tokens from a file (plain or as SHA-256 hashes), for clients that
 * send a fixed `Authorization` header. The file is read at start (missing, unreadable or without
 * a token: a start-up error) and again whenever it changes, without a restart.
 */
export class TokenFileAccessVerifier implements AccessVerifier {
  private readonly store = new TokenStore();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
    private readonly io: TokenFileIo = NODE_TOKEN_FILE_IO,
  ) {}

  start(): void {
    const text = this.readOrExplain();
    const parsed = parseTokens(text);
    this.warnBadLines(parsed.badLines);
    if (parsed.entries.length === 0) {
      throw new AccessSettingError(
        'tokensFile',
        `${this.path} holds no token (one per line, or sha256:<hex>)`,
      );
    }
    this.store.replace(parsed.entries);
    this.logger.info('access tokens loaded', { file: this.path, tokens: parsed.entries.length });
    this.stopWatching ??= this.io.watch(
      this.path,
      () => this.reload(),
      (e) => this.logger.warn('cannot watch the tokens file; changes need a restart', { error: e.message }),
    );
  }

  stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** Rereads the file. Unreadable (mid-replace, removed): the tokens stay as they were. */
  reload(): void {
    let text: string;
    try {
      text = this.io.read(this.path);
    } catch (e) {
      this.logger.warn('cannot reread the tokens file; keeping the tokens loaded before', {
        file: this.path,
        error: (e as NodeJS.ErrnoException).code ?? String(e),
      });
      return;
    }
    const parsed = parseTokens(text);
    this.warnBadLines(parsed.badLines);
    const before = this.store.size;
    // An emptied file revokes every token: that is how an operator locks everyone out at once.
    this.store.replace(parsed.entries);
    if (parsed.entries.length !== before || parsed.entries.length === 0) {
      this.logger.info('access tokens reloaded', { file: this.path, tokens: parsed.entries.length });
    }
  }

  async verify(authorization: string | undefined): Promise<AccessDecision> {
    if (authorization === undefined || authorization.trim() === '') {
      return { ok: false, failure: { code: 'missing', description: 'no bearer token' } };
    }
    const token = bearerToken(authorization);
    if (!token) {
      return {
        ok: false,
        failure: { code: 'invalid_token', description: 'the Authorization header is not "Bearer <token>"' },
      };
    }
    const identity = this.store.match(token);
    return identity
      ? { ok: true, identity }
      : {
          ok: false,
          failure: { code: 'invalid_token', description: 'the token is not one of the accepted tokens' },
        };
  }

  private readOrExplain(): string {
    try {
      return this.io.read(this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'not allowed to read it'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (code ?? String(e));
      throw new AccessSettingError('tokensFile', `cannot read ${this.path}: ${why}`);
    }
  }

  private warnBadLines(lines: readonly number[]): void {
    if (lines.length) {
      this.logger.warn('lines of the tokens file that are neither a token nor sha256:<hex> were skipped', {
        file: basename(this.path),
        lines,
      });
    }
  }
}
