/**
 * A minimal ACME server (RFC 8555) over plain HTTP on 127.0.0.1, in process, with what Pebble 2.4
 * lacks: profiles, ARI (RFC 9773 renewalInfo) and `replaces`. Enough for acme-client 5.4's flow, so
 * the real AcmeClientAdapter runs against the wire protocol:
 *
 *   GET  /dir                      directory (meta.termsOfService, meta.profiles, renewalInfo)
 *   HEAD|GET /acme/new-nonce       Replay-Nonce
 *   POST /acme/new-account         JWS with jwk; EAB checked when required
 *   POST /acme/acct/{n}            account update / POST-as-GET
 *   POST /acme/new-order           payloads recorded in `orderRequests`
 *   POST /acme/authz/{id}          POST-as-GET
 *   POST /acme/chall/{id}          validates http-01 through `options.http01` (else: valid at once)
 *   POST /acme/finalize/{id}       issues with the openssl CLI; the order is "processing" until done
 *   POST /acme/order/{id}          POST-as-GET
 *   POST /acme/cert/{id}           PEM chain
 *   GET  /acme/renewal-info/{id}   suggestedWindow + Retry-After; `setWindow` moves it
 *
 * Every JWS signature is verified (ES256/RS256 with node:crypto). Failures on demand:
 * `rateLimitNext()`, `rejectReplacesNext()`.
 */
import { execFile } from 'node:child_process';
import {
  createHash,
  createHmac,
  createPublicKey,
  type JsonWebKey,
  randomBytes,
  verify,
  X509Certificate,
} from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ERR = 'urn:ietf:params:acme:error:';
const DAY = 86_400_000;

export interface FakeAcmeOptions {
  /** meta.externalAccountRequired, with the EAB key (base64url HMAC key) it accepts. */
  readonly eab?: { readonly kid: string; readonly hmacKey: string };
  /** What the CA fetches for an http-01 token; undefined means "no answer". Default: no check. */
  readonly http01?: (token: string) => Promise<string | undefined>;
}

export interface IssuedCertificate {
  readonly ariId: string;
  readonly serialHex: string;
  readonly pem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  replacedBy?: string;
}

interface Account {
  readonly url: string;
  readonly jwk: JsonWebKey;
  readonly thumbprint: string;
  contact?: unknown;
}

interface Order {
  readonly id: string;
  readonly account: string;
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  readonly identifiers: { type: string; value: string }[];
  readonly authzIds: string[];
  readonly profile?: string;
  readonly replaces?: string;
  cert?: IssuedCertificate;
  error?: Problem;
}

interface Authz {
  readonly id: string;
  readonly orderId: string;
  readonly domain: string;
  readonly token: string;
  status: 'pending' | 'valid' | 'invalid';
  error?: Problem;
}

interface Problem {
  type: string;
  detail: string;
  status: number;
  headers?: Record<string, string>;
}

interface Jws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown> | null;
  readonly account?: Account;
  readonly jwk?: JsonWebKey;
}

class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const problem = (type: string, detail: string, status = 400, headers?: Record<string, string>) =>
  new ProblemError({ type: ERR + type, detail, status, headers });

const b64json = (s: unknown): Record<string, unknown> => {
  if (typeof s !== 'string') throw problem('malformed', 'JWS field is not a string');
  const value = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null) throw problem('malformed', 'JWS field is not an object');
  return value as Record<string, unknown>;
};

/** RFC 7638 thumbprint: the required members in lexicographic order. */
function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The DER INTEGER content of a positive serial: a 0x00 first when the high bit is set. */
function derInteger(bytes: Buffer): Buffer {
  return (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

export class FakeAcmeServer {
  /** meta.profiles, name → lifetime in days. */
  readonly profiles: Record<string, { description: string; days: number }> = {
    classic: { description: '90-day certificates', days: 90 },
    shortlived: { description: '6-day certificates', days: 6 },
  };
  /** Every newOrder payload, accepted or not, with the status the server answered. */
  readonly orderRequests: { payload: Record<string, unknown>; status: number }[] = [];
  /** Every request, in order: `METHOD /path -> status`. */
  readonly requests: string[] = [];
  readonly certificates: IssuedCertificate[] = [];
  /** EAB key ids bound to accounts. */
  readonly eabBindings: string[] = [];
  /** Retry-After of renewalInfo answers, in seconds. */
  ariRetryAfterSeconds = 21_600;

  private server!: Server;
  private dir!: string;
  private base = '';
  /** The CA certificate's subjectKeyIdentifier: every leaf's AKI keyIdentifier. */
  private readonly caKeyId = randomBytes(20);
  private readonly nonces = new Set<string>();
  private readonly accounts = new Map<string, Account>();
  private readonly orders = new Map<string, Order>();
  private readonly authzs = new Map<string, Authz>();
  private readonly windows = new Map<string, { start: Date; end: Date }>();
  private readonly issuing = new Map<string, Promise<void>>();
  private rateLimits = 0;
  private replacesRejections = 0;
  private nextId = 0;
  private serials = 0;

  private constructor(private readonly options: FakeAcmeOptions) {}

  static async start(options: FakeAcmeOptions = {}): Promise<FakeAcmeServer> {
    const s = new FakeAcmeServer(options);
    s.dir = await mkdtemp(join(tmpdir(), 'fake-acme-'));
    await writeFile(
      join(s.dir, 'ca.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        'x509_extensions = v3_ca',
        '[dn]',
        'CN = certdocs fake ACME CA',
        '[v3_ca]',
        'basicConstraints = critical, CA:TRUE',
        'keyUsage = critical, keyCertSign, cRLSign',
        `subjectKeyIdentifier = ${s.caKeyId.toString('hex')}`,
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      join(s.dir, 'ca.key'),
    ]);
    await run('openssl', [
      ...['req', '-x509', '-new', '-key', join(s.dir, 'ca.key'), '-config', join(s.dir, 'ca.cnf')],
      ...['-days', '3650', '-out', join(s.dir, 'ca.pem')],
    ]);
    s.server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.base = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  get directoryUrl(): string {
    return `${this.base}/dir`;
  }

  get renewalInfoUrl(): string {
    return `${this.base}/acme/renewal-info`;
  }

  get caPem(): Promise<string> {
    return readFile(join(this.dir, 'ca.pem'), 'utf8');
  }

  /** The next `times` newOrder requests get 429 rateLimited with Retry-After: 7. */
  rateLimitNext(times = 1): void {
    this.rateLimits += times;
  }

  /** The next order carrying `replaces` gets 409 alreadyReplaced. */
  rejectReplacesNext(): void {
    this.replacesRejections++;
  }

  /** Sets the ARI window of a certificate (by ARI id). */
  setWindow(ariId: string, start: Date, end: Date): void {
    this.windows.set(ariId, { start, end });
  }

  certificate(ariId: string): IssuedCertificate | undefined {
    return this.certificates.find((c) => c.ariId === ariId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await rm(this.dir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    let status = 500;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const reply = await this.route(req.method ?? 'GET', path, Buffer.concat(chunks).toString('utf8'));
      status = reply.status;
      this.send(res, reply.status, reply.body, reply.headers);
    } catch (e) {
      const p =
        e instanceof ProblemError
          ? e.problem
          : { type: `${ERR}serverInternal`, detail: String((e as Error).message), status: 500 };
      status = p.status;
      this.send(
        res,
        p.status,
        { type: p.type, detail: p.detail, status: p.status },
        {
          'Content-Type': 'application/problem+json',
          ...p.headers,
        },
      );
    } finally {
      this.requests.push(`${req.method} ${path} -> ${status}`);
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const nonce = randomBytes(16).toString('base64url');
    this.nonces.add(nonce);
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Replay-Nonce': nonce,
      'Cache-Control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  private async route(
    method: string,
    path: string,
    body: string,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    if (path === '/dir' && method === 'GET') return { status: 200, body: this.directory() };
    if (path === '/acme/new-nonce') return { status: method === 'HEAD' ? 200 : 204 };
    const ari = path.match(/^\/acme\/renewal-info\/([^/]+)$/);
    if (ari && method === 'GET') return this.renewalInfo(ari[1] as string);
    if (method !== 'POST') throw problem('malformed', `${method} ${path} is not supported`, 405);

    const url = `${this.base}${path}`;
    if (path === '/acme/new-account') return this.newAccount(this.verifyJws(body, url, 'jwk'));
    const jws = this.verifyJws(body, url, 'kid');
    const account = jws.account as Account;
    if (path === '/acme/new-order') return this.newOrder(account, jws.payload);
    if (url === account.url) {
      if (jws.payload?.contact) account.contact = jws.payload.contact;
      return { status: 200, body: { status: 'valid', contact: account.contact } };
    }
    const [, kind, id] = path.match(/^\/acme\/(authz|chall|order|finalize|cert)\/([^/]+)$/) ?? [];
    if (kind === 'authz') return { status: 200, body: this.authzJson(this.authzOf(account, id)) };
    if (kind === 'chall') return this.challenge(this.authzOf(account, id));
    const order = this.orderOf(account, id);
    if (kind === 'order') {
      await this.issuing.get(order.id);
      return { status: 200, body: this.orderJson(order) };
    }
    if (kind === 'finalize') return this.finalize(order, jws.payload);
    if (kind === 'cert' && order.cert) {
      return {
        status: 200,
        body: order.cert.pem + (await this.caPem),
        headers: { 'Content-Type': 'application/pem-certificate-chain' },
      };
    }
    throw problem('malformed', `no resource at ${path}`, 404);
  }

  private directory() {
    return {
      newNonce: `${this.base}/acme/new-nonce`,
      newAccount: `${this.base}/acme/new-account`,
      newOrder: `${this.base}/acme/new-order`,
      revokeCert: `${this.base}/acme/revoke-cert`,
      keyChange: `${this.base}/acme/key-change`,
      renewalInfo: this.renewalInfoUrl,
      meta: {
        termsOfService: `${this.base}/terms`,
        profiles: Object.fromEntries(Object.entries(this.profiles).map(([k, v]) => [k, v.description])),
        externalAccountRequired: this.options.eab !== undefined,
      },
    };
  }

  /** Parses and verifies a flattened JWS (RFC 8555 §6.2); `key` is the header member it must use. */
  private verifyJws(body: string, url: string, key: 'jwk' | 'kid'): Jws {
    let jws: Record<string, unknown>;
    let header: Record<string, unknown>;
    try {
      jws = JSON.parse(body) as Record<string, unknown>;
      header = b64json(jws.protected);
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      throw problem('malformed', 'the request body is not a flattened JWS');
    }
    if (typeof jws.payload !== 'string' || typeof jws.signature !== 'string') {
      throw problem('malformed', 'the JWS has no payload or signature');
    }
    if (header.url !== url) throw problem('unauthorized', `JWS url ${String(header.url)} is not ${url}`, 401);
    if (typeof header.nonce !== 'string' || !this.nonces.delete(header.nonce)) {
      throw problem('badNonce', 'unknown or reused nonce');
    }
    if ((key === 'jwk') !== 'jwk' in header || (key === 'kid') !== 'kid' in header) {
      throw problem('malformed', `this resource needs a JWS with "${key}"`);
    }
    const account = key === 'kid' ? this.accounts.get(String(header.kid)) : undefined;
    if (key === 'kid' && !account) throw problem('accountDoesNotExist', `no account ${String(header.kid)}`);
    const jwk = account?.jwk ?? (header.jwk as JsonWebKey);
    let ok = false;
    try {
      const data = Buffer.from(`${jws.protected}.${jws.payload}`);
      const sig = Buffer.from(jws.signature, 'base64url');
      const pub = createPublicKey({ key: jwk, format: 'jwk' });
      if (header.alg === 'ES256') ok = verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
      else if (header.alg === 'RS256') ok = verify('sha256', data, pub, sig);
      else throw problem('badSignatureAlgorithm', `alg ${String(header.alg)} is not supported`);
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      throw problem('malformed', `bad JWS key: ${(e as Error).message}`);
    }
    if (!ok) throw problem('malformed', 'JWS signature is invalid');
    let payload: Record<string, unknown> | null;
    try {
      payload = jws.payload === '' ? null : b64json(jws.payload);
    } catch {
      throw problem('malformed', 'JWS payload is not JSON');
    }
    return { header, payload, account, jwk };
  }

  private newAccount(jws: Jws) {
    const payload = jws.payload ?? {};
    const jwk = jws.jwk as JsonWebKey;
    const existing = [...this.accounts.values()].find((a) => a.thumbprint === thumbprint(jwk));
    if (existing) return { status: 200, body: { status: 'valid' }, headers: { Location: existing.url } };
    if (payload.onlyReturnExisting === true) throw problem('accountDoesNotExist', 'no account for this key');
    if (this.options.eab) this.eabBindings.push(this.checkEab(payload.externalAccountBinding, jwk));
    const account: Account = {
      url: `${this.base}/acme/acct/${++this.nextId}`,
      jwk,
      thumbprint: thumbprint(jwk),
      contact: payload.contact,
    };
    this.accounts.set(account.url, account);
    return {
      status: 201,
      body: { status: 'valid', contact: account.contact },
      headers: { Location: account.url },
    };
  }

  /** RFC 8555 §7.3.4: an HS256 JWS over the account JWK, by a key id the CA issued. */
  private checkEab(binding: unknown, jwk: JsonWebKey): string {
    const eab = this.options.eab as { kid: string; hmacKey: string };
    if (typeof binding !== 'object' || binding === null) {
      throw problem('externalAccountRequired', 'this CA requires an external account binding');
    }
    const b = binding as Record<string, string>;
    const header = b64json(b.protected);
    const bound = b64json(b.payload) as JsonWebKey;
    if (header.alg !== 'HS256' || header.kid !== eab.kid || header.url !== `${this.base}/acme/new-account`) {
      throw problem('malformed', 'the external account binding has the wrong alg, kid or url');
    }
    if (thumbprint(bound) !== thumbprint(jwk)) {
      throw problem('malformed', 'the external account binding is for another key');
    }
    const mac = createHmac('sha256', Buffer.from(eab.hmacKey, 'base64url'))
      .update(`${b.protected}.${b.payload}`)
      .digest('base64url');
    if (mac !== b.signature) throw problem('unauthorized', 'the external account binding MAC is wrong', 403);
    return eab.kid;
  }

  private newOrder(account: Account, payload: Record<string, unknown> | null) {
    const p = payload ?? {};
    const record = { payload: p, status: 201 };
    this.orderRequests.push(record);
    try {
      if (this.rateLimits > 0) {
        this.rateLimits--;
        throw problem('rateLimited', 'too many new orders recently', 429, { 'Retry-After': '7' });
      }
      const ids = p.identifiers as { type: string; value: string }[] | undefined;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => i?.type !== 'dns')) {
        throw problem('malformed', 'an order needs dns identifiers');
      }
      if (p.profile !== undefined && !(String(p.profile) in this.profiles)) {
        throw problem('invalidProfile', `unknown profile "${String(p.profile)}"`);
      }
      if (p.replaces !== undefined) {
        const old = this.certificate(String(p.replaces));
        if (!old) throw problem('malformed', `replaces: unknown certificate ${String(p.replaces)}`);
        if (old.replacedBy || this.replacesRejections > 0) {
          this.replacesRejections = Math.max(0, this.replacesRejections - 1);
          throw problem('alreadyReplaced', `${String(p.replaces)} was already replaced`, 409);
        }
      }
      const order: Order = {
        id: String(++this.nextId),
        account: account.url,
        status: 'pending',
        identifiers: ids.map((i) => ({ type: 'dns', value: i.value.toLowerCase() })),
        authzIds: [],
        profile: p.profile === undefined ? undefined : String(p.profile),
        replaces: p.replaces === undefined ? undefined : String(p.replaces),
      };
      for (const { value } of order.identifiers) {
        const authz: Authz = {
          id: String(++this.nextId),
          orderId: order.id,
          domain: value,
          token: randomBytes(16).toString('base64url'),
          status: 'pending',
        };
        this.authzs.set(authz.id, authz);
        order.authzIds.push(authz.id);
      }
      this.orders.set(order.id, order);
      return { status: 201, body: this.orderJson(order), headers: { Location: this.orderUrl(order) } };
    } catch (e) {
      record.status = e instanceof ProblemError ? e.problem.status : 500;
      throw e;
    }
  }

  private async challenge(authz: Authz) {
    if (authz.status === 'pending') {
      const account = this.accounts.get((this.orders.get(authz.orderId) as Order).account) as Account;
      const expected = `${authz.token}.${account.thumbprint}`;
      const answer = this.options.http01 ? await this.options.http01(authz.token) : expected;
      if (answer?.trim() === expected) {
        authz.status = 'valid';
      } else {
        authz.status = 'invalid';
        authz.error = {
          type: `${ERR}incorrectResponse`,
          detail: `expected "${expected}", got "${answer ?? '404'}"`,
          status: 403,
        };
      }
      this.updateOrder(this.orders.get(authz.orderId) as Order);
    }
    return { status: 200, body: this.authzJson(authz).challenges[0] };
  }

  private finalize(order: Order, payload: Record<string, unknown> | null) {
    if (order.status !== 'ready') throw problem('orderNotReady', `the order is ${order.status}`, 403);
    if (typeof payload?.csr !== 'string') throw problem('badCSR', 'finalize needs a csr');
    order.status = 'processing';
    const csrPem = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(payload.csr, 'base64url')
      .toString('base64')
      .replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    const issuing = this.issue(order, csrPem).then(
      (cert) => {
        order.cert = cert;
        order.status = 'valid';
        this.certificates.push(cert);
        if (order.replaces) (this.certificate(order.replaces) as IssuedCertificate).replacedBy = cert.ariId;
      },
      (e: Error) => {
        order.status = 'invalid';
        order.error = { type: `${ERR}serverInternal`, detail: `issuing failed: ${e.message}`, status: 500 };
      },
    );
    this.issuing.set(order.id, issuing);
    return { status: 200, body: this.orderJson(order), headers: { 'Retry-After': '1' } };
  }

  /**
   * Signs a leaf for the order's names with the CSR's key (`openssl x509 -req` also checks the CSR's
   * signature). Serials alternate between one with the high bit set (its DER INTEGER gets a 0x00,
   * which the ARI id must keep) and one with a zero high nibble.
   */
  private async issue(order: Order, csrPem: string): Promise<IssuedCertificate> {
    const n = ++this.serials;
    const serial = randomBytes(16);
    serial[0] = n % 2 ? (serial[0] as number) | 0x80 : ((serial[0] as number) & 0x0f) | 0x01;
    const base = join(this.dir, `order-${order.id}`);
    await writeFile(`${base}.csr`, csrPem);
    await writeFile(
      `${base}.ext`,
      [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        'authorityKeyIdentifier = keyid:always',
        `subjectAltName = ${order.identifiers.map((i) => `DNS:${i.value}`).join(', ')}`,
        '',
      ].join('\n'),
    );
    const days = this.profiles[order.profile ?? 'classic']?.days ?? 90;
    await run('openssl', [
      ...['x509', '-req', '-in', `${base}.csr`, '-CA', join(this.dir, 'ca.pem')],
      ...['-CAkey', join(this.dir, 'ca.key'), '-set_serial', `0x${serial.toString('hex')}`],
      ...['-days', String(days), '-extfile', `${base}.ext`, '-out', `${base}.pem`],
    ]);
    const pem = await readFile(`${base}.pem`, 'utf8');
    const x509 = new X509Certificate(pem);
    return {
      ariId: `${this.caKeyId.toString('base64url')}.${derInteger(serial).toString('base64url')}`,
      serialHex: serial.toString('hex'),
      pem,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
    };
  }

  private renewalInfo(ariId: string) {
    const cert = this.certificate(ariId);
    if (!cert) throw problem('malformed', `no certificate with ARI id ${ariId}`, 404);
    const life = cert.notAfter.getTime() - cert.notBefore.getTime();
    const window = this.windows.get(ariId) ?? {
      start: new Date(cert.notBefore.getTime() + (life * 2) / 3 - life / 30),
      end: new Date(cert.notBefore.getTime() + (life * 2) / 3 + life / 30),
    };
    return {
      status: 200,
      body: {
        suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() },
        explanationURL: `${this.base}/why/${ariId}`,
      },
      headers: { 'Retry-After': String(this.ariRetryAfterSeconds) },
    };
  }

  private updateOrder(order: Order): void {
    const states = order.authzIds.map((id) => (this.authzs.get(id) as Authz).status);
    if (states.includes('invalid')) order.status = 'invalid';
    else if (states.every((s) => s === 'valid')) order.status = 'ready';
  }

  private authzOf(account: Account, id: string | undefined): Authz {
    const authz = this.authzs.get(id ?? '');
    if (!authz || this.orders.get(authz.orderId)?.account !== account.url) {
      throw problem('unauthorized', `no authorization ${id} for this account`, 404);
    }
    return authz;
  }

  private orderOf(account: Account, id: string | undefined): Order {
    const order = this.orders.get(id ?? '');
    if (!order || order.account !== account.url)
      throw problem('unauthorized', `no order ${id} for this account`, 404);
    return order;
  }

  private orderUrl(order: Order): string {
    return `${this.base}/acme/order/${order.id}`;
  }

  private orderJson(order: Order) {
    return {
      status: order.status,
      expires: new Date(Date.now() + 7 * DAY).toISOString(),
      identifiers: order.identifiers,
      profile: order.profile,
      replaces: order.replaces,
      authorizations: order.authzIds.map((id) => `${this.base}/acme/authz/${id}`),
      finalize: `${this.base}/acme/finalize/${order.id}`,
      certificate: order.cert ? `${this.base}/acme/cert/${order.id}` : undefined,
      error: order.error,
    };
  }

  private authzJson(authz: Authz) {
    return {
      status: authz.status,
      identifier: { type: 'dns', value: authz.domain },
      expires: new Date(Date.now() + 7 * DAY).toISOString(),
      challenges: [
        {
          type: 'http-01',
          url: `${this.base}/acme/chall/${authz.id}`,
          token: authz.token,
          status: authz.status,
          error: authz.error && { type: authz.error.type, detail: authz.error.detail, status: 403 },
        },
      ],
    };
  }
}
