import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChallengeResponderOptions,
  HonoChallengeResponder,
} from '../../src/adapters/hono/hono-challenge-responder.js';
import { InMemoryChallengeResponder } from '../fakes/in-memory-challenge-responder.js';
import { runChallengeResponderContract } from './challenge-responder.contract.js';

interface Reply {
  status: number;
  location?: string;
  body: string;
}

/** A plain GET over a real socket, with a Host header of our choosing (fetch would not send one). */
function get(baseUrl: string, path: string, host?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startHono(
  options: Partial<ChallengeResponderOptions> = {},
): Promise<{ responder: HonoChallengeResponder; url: string }> {
  const responder = new HonoChallengeResponder({
    host: '127.0.0.1',
    port: 0,
    domains: ['docs.example.com', 'www.example.com'],
    httpsPort: 8443,
    ...options,
  });
  const { url } = await responder.start();
  return { responder, url };
}

runChallengeResponderContract('InMemoryChallengeResponder', async () => {
  const responder = new InMemoryChallengeResponder();
  return { responder, answer: (token) => responder.answer(token), cleanup: async () => {} };
});

runChallengeResponderContract('HonoChallengeResponder', async () => {
  const { responder, url } = await startHono();
  return {
    responder,
    async answer(token) {
      const res = await fetch(`${url}/.well-known/acme-challenge/${token}`, { redirect: 'manual' });
      const body = await res.text();
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`unexpected HTTP ${res.status}: ${body}`);
      return body;
    },
    cleanup: () => responder.stop(),
  };
});

describe('HonoChallengeResponder specifics', () => {
  let responder: HonoChallengeResponder;
  let url: string;
  beforeAll(async () => {
    ({ responder, url } = await startHono());
  });
  afterAll(async () => {
    await responder.stop();
  });

  it('redirects any other path to HTTPS on the requested domain, keeping path and query', async () => {
    const res = await get(url, '/docs/intro?q=a%20b&x=1', 'www.example.com');
    expect(res.status).toBe(301);
    expect(res.location).toBe('https://www.example.com:8443/docs/intro?q=a%20b&x=1');
  });

  it('keeps the domain when the Host header carries a port', async () => {
    const res = await get(url, '/', 'www.example.com:80');
    expect(res.status).toBe(301);
    expect(res.location).toBe('https://www.example.com:8443/');
  });

  it('redirects a foreign Host to the first domain, never to the foreign one', async () => {
    for (const host of ['evil.example', 'docs.example.com.evil.example', '127.0.0.1']) {
      const res = await get(url, '/login?next=/', host);
      expect(res.status).toBe(301);
      expect(res.location).toBe('https://docs.example.com:8443/login?next=/');
    }
  });

  it('leaves the port out of the redirect when HTTPS is on 443', async () => {
    const other = await startHono({ httpsPort: 443 });
    try {
      const res = await get(other.url, '/a?b=c', 'docs.example.com');
      expect(res.location).toBe('https://docs.example.com/a?b=c');
    } finally {
      await other.responder.stop();
    }
  });

  it('reports 503 on /healthz until HTTPS is ready, then 200', async () => {
    const before = await get(url, '/healthz');
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body)).toMatchObject({ https: false });
    responder.setReady(true);
    try {
      const after = await get(url, '/healthz');
      expect(after.status).toBe(200);
      expect(JSON.parse(after.body)).toMatchObject({ status: 'ok', https: true });
    } finally {
      responder.setReady(false);
    }
  });

  it('answers 404 for a token with characters outside base64url, even if presented', async () => {
    await responder.present('bad.token', 'bad.token.tp');
    await responder.present('a b', 'a b.tp');
    expect((await get(url, '/.well-known/acme-challenge/bad.token')).status).toBe(404);
    expect((await get(url, '/.well-known/acme-challenge/a%20b')).status).toBe(404);
  });

  it('does not redirect a challenge request, so a CA sees the answer on plain HTTP', async () => {
    await responder.present('tok', 'tok.tp');
    const res = await get(url, '/.well-known/acme-challenge/tok', 'docs.example.com');
    expect(res).toMatchObject({ status: 200, body: 'tok.tp' });
  });
});
