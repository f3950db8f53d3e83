import { describe, expect, it } from 'vitest';
import { explainListenError, explainStartupFailure, StartupError } from '../../src/app/startup-error.js';
import { StoreKeyError } from '../../src/domain/errors.js';

const errno = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('explainListenError', () => {
  it('names the flag and the port for a port in use', () => {
    const e = explainListenError(errno('EADDRINUSE'), '--acme-port (ACME_PORT)', 80);
    expect(e).toBeInstanceOf(StartupError);
    expect(e.message).toBe('--acme-port (ACME_PORT): 80 is already in use by another process');
  });

  it('hints at CAP_NET_BIND_SERVICE for every privileged port, port 80 included', () => {
    expect(explainListenError(errno('EACCES'), '--acme-port (ACME_PORT)', 80).message).toBe(
      '--acme-port (ACME_PORT): not allowed to listen on 80; ports below 1024 need root or CAP_NET_BIND_SERVICE',
    );
    expect(explainListenError(errno('EACCES'), '--port (PORT)', 443).message).toBe(
      '--port (PORT): not allowed to listen on 443; ports below 1024 need root or CAP_NET_BIND_SERVICE',
    );
    expect(explainListenError(errno('EACCES'), '--port (PORT)', 8443).message).toBe(
      '--port (PORT): not allowed to listen on 8443',
    );
  });

  it('blames --host for an address this machine does not have', () => {
    expect(explainListenError(errno('EADDRNOTAVAIL'), '--port (PORT)', 443, '192.0.2.1').message).toBe(
      '--host (HOST): 192.0.2.1 is not an address of this machine',
    );
  });

  it('falls back to the code, or the message when there is no code (never "undefined")', () => {
    expect(explainListenError(errno('EMFILE'), '--port (PORT)', 443).message).toBe(
      '--port (PORT): cannot listen on 443: EMFILE',
    );
    expect(explainListenError(new Error('boom'), '--acme-port (ACME_PORT)', 80).message).toBe(
      '--acme-port (ACME_PORT): cannot listen on 80: boom',
    );
    expect(explainListenError('odd', '--acme-port (ACME_PORT)', 80).message).toBe(
      '--acme-port (ACME_PORT): cannot listen on 80: odd',
    );
  });
});

describe('explainStartupFailure: access control', () => {
  it('names --auth-tokens-file and --oauth-issuer for their settings', async () => {
    const { explainStartupFailure } = await import('../../src/app/startup-error.js');
    const { AccessSettingError } = await import('../../src/domain/access-errors.js');
    expect(
      explainStartupFailure(new AccessSettingError('tokensFile', 'cannot read /t: no such file'))?.message,
    ).toBe('--auth-tokens-file (AUTH_TOKENS_FILE): cannot read /t: no such file');
    expect(
      explainStartupFailure(new AccessSettingError('oauthIssuer', 'cannot read the metadata'))?.message,
    ).toBe('--oauth-issuer (OAUTH_ISSUER): cannot read the metadata');
  });
});

describe('explainStartupFailure: the store key', () => {
  it('names --store-key (STORE_KEY) when the stored keys do not open', () => {
    const e = explainStartupFailure(new StoreKeyError('wrong_key', 'the private keys do not open'));
    expect(e?.message).toMatch(
      /^--store-key \(STORE_KEY\): the private keys do not open; .*nothing was re-ordered/,
    );
  });
});
