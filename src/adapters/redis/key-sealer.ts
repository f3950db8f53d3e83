import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreKeyError } from '../../domain/errors.js';

const SEALED = 'aes256gcm:v1:';

/**
 * Private keys at rest: AES-256-GCM with a random 96-bit IV per value; the Redis key and field the
 * value is stored under are its associated data, so a sealed value moved elsewhere does not open.
 * Without a store key, values are kept as they are (and sealed ones refuse to open).
 */
export class KeySealer {
  constructor(private readonly key: Uint8Array | undefined) {}

  seal(plain: string, where: string): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(where, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${SEALED}${iv.toString('base64')}:${tag.toString('base64')}:${body.toString('base64')}`;
  }

  open(stored: string, where: string): string {
    if (!stored.startsWith(SEALED)) return stored; // stored before a key was set: re-sealed on the next save
    if (!this.key)
      throw new StoreKeyError(
        'key_missing',
        'the private keys in the store are encrypted, and no store key is configured',
      );
    const [iv, tag, body] = stored.slice(SEALED.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv ?? '', 'base64'));
      decipher.setAAD(Buffer.from(where, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new StoreKeyError(
        'wrong_key',
        'the private keys in the store do not open with the configured store key (a different key sealed them)',
      );
    }
  }
}
