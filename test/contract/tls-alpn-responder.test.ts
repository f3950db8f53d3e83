import { createHash, X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { InMemoryChallengeAnswers } from '../../src/adapters/memory/in-memory-challenge-answers.js';
import { TlsAlpnFrontDoor } from '../../src/adapters/node-tls/tls-alpn-front-door.js';
import type { ChallengeAnswers } from '../../src/ports/challenge-answers.js';
import { InMemoryTlsAlpnResponder } from '../fakes/in-memory-tls-alpn-responder.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { freshEach } from './fresh-each.js';
import { expectedDigest, runTlsAlpnResponderContract } from './tls-alpn-responder.contract.js';

/** id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31, as DER: tag, length, content. */
const ACME_IDENTIFIER_OID = Buffer.from('06082b0601050507011f', 'hex');

/**
 * The acmeIdentifier extension of a DER certificate: critical, and an OCTET STRING wrapping the
 * 32-byte OCTET STRING of the digest (RFC 8737 §3). Read from the bytes, not by the code under test.
 */
function acmeIdentifier(der: Buffer): { critical: boolean; digestHex: string } | undefined {
  const at = der.indexOf(ACME_IDENTIFIER_OID);
  if (at < 0) return undefined;
  let i = at + ACME_IDENTIFIER_OID.length;
  const critical = der[i] === 0x01 && der[i + 1] === 0x01 && der[i + 2] === 0xff;
  if (der[i] === 0x01) i += 3;
  const wrapped = der.subarray(i, i + 4).toString('hex');
  if (wrapped !== '04220420') throw new Error(`unexpected acmeIdentifier encoding ${wrapped}`);
  return { critical, digestHex: der.subarray(i + 4, i + 36).toString('hex') };
}

interface Handshake {
  alpn: string | false;
  der: Buffer;
}

/** A validator's handshake: SNI `domain`, ALPN acme-tls/1 only; undefined when the server refuses it. */
function validatorHandshake(port: number, domain: string): Promise<Handshake | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: domain,
      ALPNProtocols: ['acme-tls/1'],
      rejectUnauthorized: false,
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('error', () => resolve(undefined));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      resolve(peer?.raw ? { alpn: socket.alpnProtocol ?? false, der: peer.raw } : undefined);
      socket.end();
    });
  });
}

async function startFrontDoor(answers?: ChallengeAnswers): Promise<TlsAlpnFrontDoor> {
  const door = new TlsAlpnFrontDoor({ host: '127.0.0.1', port: 0, answers }, new MemoryLogger());
  await door.start();
  return door;
}

runTlsAlpnResponderContract('InMemoryTlsAlpnResponder', async () => {
  const responder = new InMemoryTlsAlpnResponder();
  return {
    responder,
    answer: async (domain) => {
      const ka = responder.answer(domain);
      return ka === undefined ? undefined : createHash('sha256').update(ka).digest('hex');
    },
    cleanup: async () => {},
  };
});

runTlsAlpnResponderContract('TlsAlpnFrontDoor', async () => {
  const door = await startFrontDoor();
  return {
    responder: door,
    answer: async (domain) => {
      const hs = await validatorHandshake(door.port, domain);
      if (!hs) return undefined;
      expect(hs.alpn).toBe('acme-tls/1');
      return acmeIdentifier(hs.der)?.digestHex;
    },
    cleanup: () => door.stop(),
  };
});

describe('TlsAlpnFrontDoor specifics', () => {
  const made = freshEach<{ door: TlsAlpnFrontDoor; cleanup(): Promise<void> }>();
  const fresh = async () =>
    (
      await made(async () => {
        const door = await startFrontDoor();
        return { door, cleanup: () => door.stop() };
      })
    ).door;

  it('serves a challenge certificate for exactly the domain, with a critical acmeIdentifier', async () => {
    const door = await fresh();
    const ka = 'tok.LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
    await door.present('docs.example.com', ka);
    const hs = await validatorHandshake(door.port, 'docs.example.com');
    expect(hs).toBeDefined();
    const cert = new X509Certificate(hs?.der as Buffer);
    expect(cert.subjectAltName).toBe('DNS:docs.example.com');
    expect(acmeIdentifier(hs?.der as Buffer)).toEqual({ critical: true, digestHex: expectedDigest(ka) });
  });

  it('answers a challenge another replica presented, through the answers they share', async () => {
    const shared = new InMemoryChallengeAnswers();
    const ordering = await startFrontDoor(shared);
    const other = await startFrontDoor(shared);
    try {
      const ka = 'tok.LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
      await ordering.present('docs.example.com', ka);
      const hs = await validatorHandshake(other.port, 'docs.example.com');
      expect(acmeIdentifier(hs?.der as Buffer)).toEqual({ critical: true, digestHex: expectedDigest(ka) });
      await ordering.remove('docs.example.com');
      expect(await validatorHandshake(other.port, 'docs.example.com')).toBeUndefined();
    } finally {
      await ordering.stop();
      await other.stop();
    }
  });
});
