import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/ports/logger.js';
import { freshEach } from './fresh-each.js';

export type ThresholdLevel = 'debug' | 'info' | 'warn' | 'error';

export interface MadeLogger {
  readonly logger: Logger;
  /** Every line written so far, as the text a log sink would receive. */
  lines(): string[];
  cleanup(): Promise<void>;
}

const PRIVATE_KEY_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const RSA_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
/** A line of base64 from inside each PEM: what would give the key away even with the armour gone. */
const pemBody = (pem: string) => pem.split('\n')[1] as string;
const HMAC_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
const ACCESS_TOKEN = 'ya29.a0AfH6SMBx-s3cr3t-access-t0ken';
const CHALLENGE_TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
const THUMBPRINT = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const KEY_AUTHORIZATION = `${CHALLENGE_TOKEN}.${THUMBPRINT}`;
const PASSWORD = 'correct-horse-battery-staple';

/** Substrings none of which may appear in any log line. */
const SECRETS = [
  'PRIVATE KEY-----',
  pemBody(PRIVATE_KEY_PEM),
  pemBody(RSA_KEY_PEM),
  HMAC_KEY,
  ACCESS_TOKEN,
  THUMBPRINT,
  PASSWORD,
];

/** Field sets that carry a secret, each next to an ordinary field that must survive. */
const SECRET_FIELDS: [string, Record<string, unknown>][] = [
  ['a PEM under keyPem', { keyPem: PRIVATE_KEY_PEM }],
  ['a PEM under privateKey', { privateKey: RSA_KEY_PEM }],
  ['a PEM under an innocent name', { value: PRIVATE_KEY_PEM }],
  ['the EAB HMAC key under hmacKey', { hmacKey: HMAC_KEY }],
  ['the EAB settings object', { eab: { kid: 'kid-1', hmacKey: HMAC_KEY } }],
  ['the EAB HMAC key under eab_hmac_key', { eab_hmac_key: HMAC_KEY }],
  ['a token', { token: ACCESS_TOKEN }],
  ['an access token', { accessToken: ACCESS_TOKEN }],
  ['an Authorization header value', { authorization: `Bearer ${ACCESS_TOKEN}` }],
  ['request headers', { headers: { Authorization: `Bearer ${ACCESS_TOKEN}`, accept: '*/*' } }],
  ['a key authorization', { keyAuthorization: KEY_AUTHORIZATION }],
  ['a password', { password: PASSWORD }],
  ['a secret', { clientSecret: PASSWORD, secret: PASSWORD }],
  ['a key nested deep down', { order: { account: { keyPem: PRIVATE_KEY_PEM, url: 'https://ca/acct/1' } } }],
  ['keys in an array', { accounts: [{ keyPem: PRIVATE_KEY_PEM }, { hmacKey: HMAC_KEY }] }],
  ['a PEM inside an error message', { error: `could not parse key:\n${PRIVATE_KEY_PEM}` }],
  ['an Error carrying a PEM', { error: new Error(`bad key ${PRIVATE_KEY_PEM}`) }],
  ['a bearer token inside an error message', { error: `401 for Authorization: Bearer ${ACCESS_TOKEN}` }],
  ['a key authorization inside a message', { error: `challenge answered with ${KEY_AUTHORIZATION}` }],
  ['a stringified config', { config: JSON.stringify({ eab: { kid: 'k', hmacKey: HMAC_KEY } }) }],
  ['key=value text', { detail: `eab kid=k hmac_key=${HMAC_KEY} password=${PASSWORD}` }],
];

/**
 * What every Logger promises: lines below the threshold are dropped, and no secret (private key, EAB
 * HMAC key, bearer or access token, ACME key authorization, password) reaches a line, whether it comes
 * as a field under a suspicious name, nested, or inside a message; the rest of the line stays readable.
 * Run against MemoryLogger and PinoLogger.
 */
export function runLoggerContract(
  name: string,
  makeLogger: (level: ThresholdLevel) => Promise<MadeLogger>,
): void {
  describe(`Logger contract: ${name}`, () => {
    const make = freshEach<MadeLogger>();
    const fresh = (level: ThresholdLevel = 'debug') => make(() => makeLogger(level));

    it('writes the message and its ordinary fields', async () => {
      const { logger, lines } = await fresh();
      logger.info('certificate issued', { domain: 'docs.example.com', daysLeft: 89 });
      expect(lines()).toHaveLength(1);
      expect(lines()[0]).toContain('certificate issued');
      expect(lines()[0]).toContain('docs.example.com');
      expect(lines()[0]).toContain('89');
    });

    it('writes every level at or above debug', async () => {
      const { logger, lines } = await fresh('debug');
      logger.debug('one');
      logger.info('two');
      logger.warn('three');
      logger.error('four');
      expect(lines()).toHaveLength(4);
      expect(lines().map((l) => ['one', 'two', 'three', 'four'].find((m) => l.includes(`"${m}"`)))).toEqual([
        'one',
        'two',
        'three',
        'four',
      ]);
    });

    it('drops lines below the threshold', async () => {
      const { logger, lines } = await fresh('warn');
      logger.debug('dropped debug');
      logger.info('dropped info');
      logger.warn('kept warn');
      logger.error('kept error');
      expect(lines().join('\n')).not.toMatch(/dropped/);
      expect(lines()).toHaveLength(2);
    });

    it('says which levels it writes, as it writes them', async () => {
      const { logger } = await fresh('warn');
      expect([logger.isEnabled('debug'), logger.isEnabled('info')]).toEqual([false, false]);
      expect([logger.isEnabled('warn'), logger.isEnabled('error')]).toEqual([true, true]);
      const all = (await fresh('debug')).logger;
      expect(all.isEnabled('debug')).toBe(true);
    });

    it.each(SECRET_FIELDS)('never writes %s', async (_what, fields) => {
      const { logger, lines } = await fresh();
      for (const log of [logger.debug, logger.info, logger.warn, logger.error]) {
        log.call(logger, 'ordering a certificate', { ...fields, domain: 'docs.example.com' });
      }
      expect(lines()).toHaveLength(4);
      for (const line of lines()) {
        for (const secret of SECRETS) expect(line).not.toContain(secret);
        expect(line).toContain('ordering a certificate');
        expect(line).toContain('docs.example.com');
      }
    });

    it('never writes a secret that is in the message itself', async () => {
      const { logger, lines } = await fresh();
      logger.error(`unexpected: ${PRIVATE_KEY_PEM}`);
      logger.warn(`CA said 401 to Authorization: Bearer ${ACCESS_TOKEN}`);
      logger.info(`presented ${KEY_AUTHORIZATION} for docs.example.com`);
      logger.info(`eab hmacKey=${HMAC_KEY}`);
      expect(lines()).toHaveLength(4);
      for (const line of lines()) for (const secret of SECRETS) expect(line).not.toContain(secret);
      expect(lines()[2]).toContain('docs.example.com');
    });

    it('keeps what is not secret next to what is', async () => {
      const { logger, lines } = await fresh();
      logger.info('account', { eab: { hmacKey: HMAC_KEY }, url: 'https://ca.example/acct/1', tokens: 12 });
      expect(lines()[0]).toContain('https://ca.example/acct/1');
      expect(lines()[0]).toMatch(/"tokens":\s*12/);
      expect(lines()[0]).not.toContain(HMAC_KEY);
    });

    it('does not choke on a field that refers to itself', async () => {
      const { logger, lines } = await fresh();
      const loop: Record<string, unknown> = { name: 'loop', keyPem: PRIVATE_KEY_PEM };
      loop.self = loop;
      logger.info('circular', { loop });
      expect(lines()).toHaveLength(1);
      expect(lines()[0]).not.toContain(pemBody(PRIVATE_KEY_PEM));
    });
  });
}
