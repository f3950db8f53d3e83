// @ts-check
/**
 * Plain HTTP and HTTPS requests and TLS handshakes against a certdocs on 127.0.0.1, all bounded by a
 * timeout. The HTTPS ones use SNI and Host `docs.example.test` (DOMAIN), so the certificate check and
 * the server's Host guard see the real name while the connection stays on loopback.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { DOMAIN } from './certdocs.mjs';
import { LOOPBACK } from './processes.mjs';

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} body
 * @property {net.Socket} socket The socket the response came on (to tell whether a keep-alive
 *   connection was reused).
 */

/**
 * Sends `req` and collects its response.
 * @param {http.ClientRequest} req
 * @param {number} [timeoutMs]
 * @returns {Promise<Reply>}
 */
export function collect(req, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      // Taken now: a keep-alive agent detaches the socket from the response once it has ended.
      const socket = res.socket;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (/** @type {string} */ c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket }));
      res.on('error', reject);
    });
    req.end();
  });
}

/**
 * GET http://127.0.0.1:port/urlPath on a fresh connection, with `host` as the Host header if given.
 * @param {number} port
 * @param {string} urlPath
 * @param {string} [host]
 */
export function httpGet(port, urlPath, host) {
  return collect(
    http.request({ host: LOOPBACK, port, path: urlPath, agent: false, headers: host ? { host } : {} }),
  );
}

/**
 * GET over HTTPS to 127.0.0.1:port as https://docs.example.test:port, trusting only `ca`. A fresh
 * connection unless `agent` is given (then the agent's ca applies, and its sockets are reused).
 * @param {number} port
 * @param {string} urlPath
 * @param {string} ca
 * @param {https.Agent} [agent]
 */
export function httpsGet(port, urlPath, ca, agent) {
  const own = agent ? undefined : new https.Agent({ ca, keepAlive: false });
  return collect(
    https.request({
      host: LOOPBACK,
      port,
      path: urlPath,
      servername: DOMAIN,
      headers: { host: `${DOMAIN}:${port}` },
      agent: agent ?? own,
    }),
  ).finally(() => own?.destroy());
}

/**
 * TLS handshake with SNI docs.example.test, verified against `ca` only; the chain leaf first.
 * @param {number} port
 * @param {string} ca
 * @returns {Promise<{ authorized: boolean, chain: tls.PeerCertificate[] }>}
 */
export function peerCertificate(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: LOOPBACK, port, servername: DOMAIN, ca, rejectUnauthorized: true });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      /** @type {tls.PeerCertificate[]} */
      const chain = [];
      /** @type {tls.DetailedPeerCertificate | undefined} */
      let c = socket.getPeerCertificate(true);
      while (c && Object.keys(c).length && !chain.includes(c)) {
        chain.push(c);
        c = c.issuerCertificate === c ? undefined : c.issuerCertificate;
      }
      resolve({ authorized: socket.authorized, chain });
      socket.end();
    });
  });
}

/**
 * True if nothing listens on 127.0.0.1:port (the connection is refused), false if something does.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function connectionRefused(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port });
    s.setTimeout(3000, () => s.destroy(new Error('connect timed out')));
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (/** @type {NodeJS.ErrnoException} */ e) =>
      e.code === 'ECONNREFUSED' ? resolve(true) : reject(e),
    );
  });
}

/**
 * @typedef {((input: string | URL, init?: RequestInit) => Promise<Response>) & { readonly agent: https.Agent }} PinnedFetch
 */

/**
 * A fetch for the MCP SDK over node:https: trusts only `ca`, connects to 127.0.0.1 whatever the URL's
 * host (SNI and Host stay the URL's). Streams the body, so SSE responses work; honours the signal.
 * With keepAlive false every request makes a new connection and TLS handshake; `localAddress`
 * (another 127.x.y.z) makes the requests come from a client address of their own.
 * @param {string} ca
 * @param {{ keepAlive?: boolean, localAddress?: string }} [options]
 * @returns {PinnedFetch}
 */
export function pinnedFetch(ca, { keepAlive = true, localAddress } = {}) {
  const agent = new https.Agent({ ca, keepAlive, localAddress });
  /** @type {(input: string | URL, init?: RequestInit) => Promise<Response>} */
  const fetchLike = (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      /** @type {Record<string, string>} */
      const headers = {};
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      headers.host = url.host;
      const req = https.request({
        host: LOOPBACK,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        servername: url.hostname,
        headers,
        agent,
        signal: init.signal ?? undefined,
      });
      req.setTimeout(15_000, () => req.destroy(new Error(`${init.method ?? 'GET'} ${url} timed out`)));
      req.once('error', reject);
      req.once('response', (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
        }
        const status = res.statusCode ?? 0;
        const noBody = [101, 204, 205, 304].includes(status) || init.method === 'HEAD';
        if (noBody) res.resume();
        // Once the response has started, its idle time is the SSE stream's business, not ours.
        req.setTimeout(0);
        resolve(
          new Response(noBody ? null : /** @type {ReadableStream<Uint8Array>} */ (Readable.toWeb(res)), {
            status,
            statusText: res.statusMessage,
            headers: h,
          }),
        );
      });
      if (init.body !== undefined && init.body !== null)
        req.write(/** @type {string | Uint8Array} */ (init.body));
      req.end();
    });
  return Object.assign(fetchLike, { agent });
}
