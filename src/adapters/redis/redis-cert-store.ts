import type { AccountRecord, StoredCertificate } from '../../domain/certificate.js';
import type { DomainName } from '../../domain/domain-name.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { KeySealer } from './key-sealer.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * The certificate store every replica shares:
 *   <prefix>cert:<name>       hash {cert, key}: one HSET writes both, so a reader never sees a new
 *                             key with an old certificate
 *   <prefix>account           hash {key}: the ACME account key, one for every directory
 *   <prefix>account:urls      hash directory URL -> account URL
 * Private keys (certificate and account) go through the KeySealer: encrypted with `--store-key`.
 */
export class RedisCertStore implements CertStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly sealer: KeySealer,
    private readonly prefix = 'certdocs:',
  ) {}

  private certKey(name: DomainName): string {
    return `${this.prefix}cert:${name}`;
  }

  location(name: DomainName): string {
    return `${this.redis.where} key ${this.certKey(name)}`;
  }

  async load(name: DomainName): Promise<StoredCertificate | undefined> {
    const key = this.certKey(name);
    const fields = await (await this.redis.get()).hGetAll(key);
    if (fields.cert === undefined || fields.key === undefined) return undefined;
    return { certPem: fields.cert, keyPem: this.sealer.open(fields.key, `${key}#key`) };
  }

  async save(name: DomainName, cert: StoredCertificate): Promise<void> {
    const key = this.certKey(name);
    await (await this.redis.get()).hSet(key, {
      cert: cert.certPem,
      key: this.sealer.seal(cert.keyPem, `${key}#key`),
    });
  }

  async loadAccount(directoryUrl: string): Promise<AccountRecord | undefined> {
    const client = await this.redis.get();
    const where = `${this.prefix}account`;
    const [sealed, url] = await Promise.all([
      client.hGet(where, 'key'),
      client.hGet(`${where}:urls`, directoryUrl),
    ]);
    if (sealed === null || sealed === undefined) return undefined;
    return { keyPem: this.sealer.open(sealed, `${where}#key`), url: url ?? undefined };
  }

  async saveAccount(directoryUrl: string, account: AccountRecord): Promise<void> {
    const client = await this.redis.get();
    const where = `${this.prefix}account`;
    const tx = client.multi().hSet(where, 'key', this.sealer.seal(account.keyPem, `${where}#key`));
    if (account.url) tx.hSet(`${where}:urls`, directoryUrl, account.url);
    else tx.hDel(`${where}:urls`, directoryUrl);
    await tx.exec();
  }
}
