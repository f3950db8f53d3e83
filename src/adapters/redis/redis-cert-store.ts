import type { AccountRecord, StoredCertificate } from '../../domain/certificate.js';
import type { DomainName } from '../../domain/domain-name.js';
import { StaleFencingTokenError } from '../../domain/errors.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { KeySealer } from './key-sealer.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * A fenced save, in one script so that nothing runs between the comparison and the write: refused
 * (returning the highest token seen, which is > 0) when ARGV[3] is lower than the hash's `fence`;
 * otherwise the pair and the token are written by one HSET, and 0 returned.
 */
const FENCED_SAVE = `
local highest = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
local token = tonumber(ARGV[3])
if token < highest then return highest end
redis.call('HSET', KEYS[1], 'cert', ARGV[1], 'key', ARGV[2], 'fence', ARGV[3])
return 0`;

/**
 * The certificate store every replica shares:
 *   <prefix>cert:<name>       hash {cert, key, fence}: one HSET writes both, so a reader never
 *                             sees a new key with an old certificate; `fence` is the highest
 *                             fencing token a save carried (a Lua script compares and writes)
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

  async save(name: DomainName, cert: StoredCertificate, fencingToken?: number): Promise<void> {
    const key = this.certKey(name);
    const client = await this.redis.get();
    const sealed = this.sealer.seal(cert.keyPem, `${key}#key`);
    if (fencingToken === undefined) {
      await client.hSet(key, { cert: cert.certPem, key: sealed });
      return;
    }
    const highest = Number(
      await client.eval(FENCED_SAVE, {
        keys: [key],
        arguments: [cert.certPem, sealed, String(fencingToken)],
      }),
    );
    if (highest > 0) throw new StaleFencingTokenError(name, fencingToken, highest);
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
