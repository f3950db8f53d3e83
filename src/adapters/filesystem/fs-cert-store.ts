import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountRecord, StoredCertificate } from '../../domain/certificate.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { Logger } from '../../ports/logger.js';
import { syncDir, writeAtomic, writeDurable } from './atomic-write.js';

const PRIVATE = 0o600;

/**
 * The original server's layout, so an existing deployment can switch:
 *   <dir>/<name>.cert.pem   full chain
 *   <dir>/<name>.key.pem    private key, mode 0600
 *   <dir>/account.key.pem   ACME account key, mode 0600
 *   <dir>/account.json      account URL per directory URL
 *
 * A pair is replaced in two renames with both new files fully written first (`.new`). A crash
 * between the renames leaves `<name>.cert.pem.new` behind; the next load finishes the swap, so a
 * mismatched pair is never served.
 */
export class FsCertStore implements CertStore {
  constructor(
    private readonly dir: string,
    private readonly logger?: Logger,
  ) {}

  private paths(name: string) {
    const base = join(this.dir, safeName(name));
    return { cert: `${base}.cert.pem`, key: `${base}.key.pem` };
  }

  async load(name: string): Promise<StoredCertificate | undefined> {
    const p = this.paths(name);
    await this.recover(p);
    const [certPem, keyPem] = await Promise.all([readIfExists(p.cert), readIfExists(p.key)]);
    if (certPem === undefined || keyPem === undefined) return undefined;
    return { certPem, keyPem };
  }

  async save(name: string, cert: StoredCertificate): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const p = this.paths(name);
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

  /** Finishes or discards a pair write that a crash interrupted. */
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
function safeName(name: string): string {
  if (!/^[a-z0-9*._-]+$/i.test(name) || name.includes('..'))
    throw new Error(`unsafe certificate name "${name}"`);
  return name.replace('*', '_');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await readIfExists(path)) !== undefined;
}
