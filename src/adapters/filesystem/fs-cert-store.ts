import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { AccountRecord, StoredCertificate } from '../../domain/certificate.js';
import type { DomainName } from '../../domain/domain-name.js';
import { StaleFencingTokenError } from '../../domain/errors.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { Logger } from '../../ports/logger.js';
import { syncDir, writeAtomic, writeDurable } from './atomic-write.js';
import { certFilePaths } from './cert-files.js';

const PRIVATE = 0o600;
/** Reads of a pair that a concurrent save keeps changing, before load() gives up. */
const LOAD_ATTEMPTS = 50;

/**
 * The original server's layout, so an existing deployment can switch:
 *   <dir>/<name>.cert.pem   full chain
 *   <dir>/<name>.key.pem    private key, mode 0600
 *   <dir>/account.key.pem   ACME account key, mode 0600
 *   <dir>/account.json      account URL per directory URL
 *   <dir>/<name>.fence      the highest fencing token a save carried (only once one did)
 *
 * A pair is replaced in two renames with both new files fully written first (`.new`), key first.
 * A crash between the renames leaves `<name>.cert.pem.new` beside the new key: load() reads that
 * pair as the current one, and the next save() finishes the swap before writing. load() never
 * changes the directory: the CLI (`cert status`) loads while the server may be in the middle of a
 * save, and must not rename or delete the server's `.new` files under it.
 *
 * Fencing: one replica saves without a token (there is no lock on `--store fs`). A save that
 * carries one keeps the same rule as the shared store: the token is compared with `<name>.fence`
 * and a lower one refused before any file is touched; the mark is raised before the pair is
 * written, so a crash in between leaves the old pair and a mark that still refuses older tokens.
 * Saves by one store object run one at a time; two processes saving the same name with tokens at
 * once are not serialized: this store is for one replica.
 */
export class FsCertStore implements CertStore {
  constructor(
    private readonly dir: string,
    private readonly logger?: Logger,
  ) {}

  /** A DomainName is a file name already: lowercase letters, digits, dots and hyphens. */
  private paths(name: DomainName) {
    return certFilePaths(this.dir, name);
  }

  location(name: DomainName): string {
    return this.paths(name).cert;
  }

  async load(name: DomainName): Promise<StoredCertificate | undefined> {
    const p = this.paths(name);
    // A save in another process may rename between our reads: read again until none of the four
    // files changed from before the reads to after them, so a new key never comes back with the
    // old certificate.
    for (let attempt = 1; ; attempt++) {
      const before = await this.state(p);
      // Only the certificate still waits as .new: the key beside it is already the new one.
      const certPath = before.certNew && !before.keyNew ? `${p.cert}.new` : p.cert;
      const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(p.key)]);
      const after = await this.state(p);
      if (sameState(before, after)) {
        if (certPem === undefined || keyPem === undefined) return undefined;
        return { certPem, keyPem };
      }
      if (attempt === LOAD_ATTEMPTS) throw new Error(`the certificate files in ${this.dir} keep changing`);
      await delay(Math.min(attempt, 10));
    }
  }

  private saving: Promise<unknown> = Promise.resolve();

  save(name: DomainName, cert: StoredCertificate, fencingToken?: number): Promise<void> {
    const run = this.saving.then(() => this.write(name, cert, fencingToken));
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async write(name: DomainName, cert: StoredCertificate, fencingToken?: number): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const p = this.paths(name);
    if (fencingToken !== undefined) {
      const text = await readIfExists(p.fence);
      const highest = text === undefined ? 0 : Number.parseInt(text, 10);
      if (Number.isNaN(highest)) throw new Error(`${p.fence} does not hold a fencing token`);
      if (fencingToken < highest) throw new StaleFencingTokenError(name, fencingToken, highest);
      if (fencingToken > highest) await writeAtomic(p.fence, `${fencingToken}\n`);
    }
    // Before a new key.new exists: after a crash between the renames the key is already the new
    // one, and load() would pair it with the old certificate while key.new and cert.new both exist.
    await this.recover(p);
    await writeDurable(`${p.key}.new`, cert.keyPem, PRIVATE);
    await writeDurable(`${p.cert}.new`, cert.certPem, 0o644);
    await rename(`${p.key}.new`, p.key);
    await rename(`${p.cert}.new`, p.cert);
    await syncDir(this.dir);
  }

  async loadAccount(directoryUrl: string): Promise<AccountRecord | undefined> {
    const keyPem = await readIfExists(join(this.dir, 'account.key.pem'));
    if (keyPem === undefined) return undefined;
    const urls = await this.accountUrls();
    return { keyPem, url: urls[directoryUrl] };
  }

  async saveAccount(directoryUrl: string, account: AccountRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const keyPath = join(this.dir, 'account.key.pem');
    if ((await readIfExists(keyPath)) !== account.keyPem) await writeAtomic(keyPath, account.keyPem, PRIVATE);
    const urls = await this.accountUrls();
    if (account.url) urls[directoryUrl] = account.url;
    else delete urls[directoryUrl];
    await writeAtomic(join(this.dir, 'account.json'), `${JSON.stringify({ accounts: urls }, null, 2)}\n`);
  }

  private async accountUrls(): Promise<Record<string, string>> {
    const text = await readIfExists(join(this.dir, 'account.json'));
    if (!text) return {};
    try {
      const parsed = JSON.parse(text) as { accounts?: Record<string, string> };
      return parsed.accounts && typeof parsed.accounts === 'object' ? { ...parsed.accounts } : {};
    } catch {
      this.logger?.warn('account.json is unreadable; a new account registration will be made', {
        dir: this.dir,
      });
      return {};
    }
  }

  /**
   * Which file each path names, one path after the other in the order save() creates them. A
   * `.new` file is the same file while it is being written, so only its inode counts; a rename puts
   * another inode at the pair's path (the change time tells a recycled inode apart).
   */
  private async state(p: { cert: string; key: string }): Promise<PairState> {
    const keyNew = await identity(`${p.key}.new`, false);
    const certNew = await identity(`${p.cert}.new`, false);
    const key = await identity(p.key, true);
    const cert = await identity(p.cert, true);
    return { keyNew, certNew, key, cert };
  }

  /** Finishes or discards a pair write that a crash interrupted; only the writer calls it. */
  private async recover(p: { cert: string; key: string }): Promise<void> {
    const [certNew, keyNew] = await Promise.all([exists(`${p.cert}.new`), exists(`${p.key}.new`)]);
    if (certNew && !keyNew) {
      // The key was already renamed: the new certificate belongs to it.
      await rename(`${p.cert}.new`, p.cert);
      this.logger?.warn('finished an interrupted certificate write', { file: p.cert });
    } else if (certNew || keyNew) {
      // Crashed before any rename: the old pair is intact.
      await rm(`${p.cert}.new`, { force: true });
      await rm(`${p.key}.new`, { force: true });
    }
  }
}

/** Names become file names: refuse anything that could leave the directory. */
async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await identity(path, false)) !== undefined;
}

interface PairState {
  readonly keyNew: string | undefined;
  readonly certNew: string | undefined;
  readonly key: string | undefined;
  readonly cert: string | undefined;
}

function sameState(a: PairState, b: PairState): boolean {
  return a.cert === b.cert && a.key === b.key && a.certNew === b.certNew && a.keyNew === b.keyNew;
}

/** The file at `path` (its inode, with its change time if `changes`), or undefined when there is none. */
async function identity(path: string, changes: boolean): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return changes ? `${s.dev}:${s.ino}:${s.ctimeNs}` : `${s.dev}:${s.ino}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
