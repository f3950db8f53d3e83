import { generateKeyPairSync } from 'node:crypto';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';
import type { ChallengeAnswers } from '../../ports/challenge-answers.js';
import type { Logger } from '../../ports/logger.js';
import type { TlsAlpnResponder } from '../../ports/tls-alpn-responder.js';
import { loadAcmeCrypto } from '../acme-client/load-acme-lib.js';
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  type HandoffListener,
} from '../hono/node-listener.js';
import { missingBytes, parseClientHello } from './client-hello.js';

const ACME_TLS = 'acme-tls/1';
const MAX_HELLO_BYTES = 16 * 1024 + 5;

/**
 * Owns the HTTPS port when TLS-ALPN-01 is enabled. It peeks at each ClientHello: a validator
 * offering `acme-tls/1` gets the challenge certificate (RFC 8737); everything else goes to the
 * HTTPS server untouched. So a server that can expose only 443 needs no port 80, and the port
 * answers challenges even before the first certificate exists.
 */
export class TlsAlpnFrontDoor implements TlsAlpnResponder, HandoffListener {
  private readonly contexts = new Map<string, SecureContext>();
  private readonly challengeServer;
  private readonly listener: NetServer;
  private target: NetServer | undefined;
  /** The bound port, once started. */
  port = 0;

  private readonly limits: ConnectionLimits;

  /**
   * `limits.handshakeTimeoutMs` bounds the wait for a ClientHello here and the challenge handshake;
   * `limits.maxConnections` caps the port (the HTTPS server it hands over to counts nothing itself).
   */
  constructor(
    private readonly options: {
      host?: string;
      port: number;
      limits?: Partial<ConnectionLimits>;
      /**
       * Key authorizations shared with other replicas: a validator's handshake may land on a
       * replica that did not order, which then makes the challenge certificate from the shared answer.
       */
      answers?: ChallengeAnswers;
    },
    private readonly logger: Logger,
  ) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    this.challengeServer = createTlsServer({
      handshakeTimeout: this.limits.handshakeTimeoutMs,
      ALPNProtocols: [ACME_TLS],
      SNICallback: (name, cb) => {
        this.contextFor(name.toLowerCase()).then(
          (context) => cb(null, context),
          (e: Error) => cb(e),
        );
      },
    });
    this.challengeServer.on('secureConnection', (s) => s.end());
    this.challengeServer.on('tlsClientError', () => undefined);
    this.listener = createNetServer((socket) => this.route(socket));
    this.listener.maxConnections = this.limits.maxConnections;
  }

  /** Listens on the HTTPS port; normal handshakes are refused until a target server is set. */
  start(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(this.options.port, this.options.host, () => {
        this.listener.off('error', reject);
        const address = this.listener.address();
        this.port = typeof address === 'object' && address ? address.port : this.options.port;
        resolve({ port: this.port });
      });
    });
  }

  /** Hands every non-challenge connection to `server` (an https.Server that is not listening itself). */
  setTarget(server: NetServer): void {
    this.target = server;
  }

  async present(domain: string, keyAuthorization: string): Promise<void> {
    const name = domain.toLowerCase();
    await this.options.answers?.put(answerKey(name), keyAuthorization, ANSWER_TTL_MS);
    this.contexts.set(name, await challengeContext(name, keyAuthorization));
  }

  async remove(domain: string): Promise<void> {
    const name = domain.toLowerCase();
    this.contexts.delete(name);
    await this.options.answers?.remove(answerKey(name));
  }

  /** The challenge certificate for `name`: presented here, or made from an answer another replica shared. */
  private async contextFor(name: string): Promise<SecureContext | undefined> {
    const local = this.contexts.get(name);
    if (local || !this.options.answers) return local;
    const keyAuthorization = await this.options.answers.get(answerKey(name));
    return keyAuthorization === undefined ? undefined : challengeContext(name, keyAuthorization);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }

  private route(socket: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => socket.destroy(), this.limits.handshakeTimeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const buf = Buffer.concat(chunks, size);
      const missing = missingBytes(buf);
      if (missing > 0 && size < MAX_HELLO_BYTES) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      socket.unshift(buf);
      const hello = missing === 0 ? parseClientHello(buf) : undefined;
      if (hello?.alpn.includes(ACME_TLS)) {
        this.logger.debug('TLS-ALPN-01 validation connection', { servername: hello.servername });
        this.challengeServer.emit('connection', socket);
      } else if (this.target) {
        this.target.emit('connection', socket);
      } else {
        socket.destroy();
      }
    };
    socket.on('data', onData);
    socket.on('error', () => clearTimeout(timer));
  }
}

/** Long enough for any validation; an answer left behind by a replica that died expires. */
const ANSWER_TTL_MS = 10 * 60_000;

/** Shared answers are kept beside HTTP-01 tokens, which never contain a colon. */
function answerKey(domain: string): string {
  return `tls-alpn-01:${domain}`;
}

/** A self-signed certificate for `domain` carrying the acmeIdentifier extension (RFC 8737). */
async function challengeContext(domain: string, keyAuthorization: string): Promise<SecureContext> {
  const acmeCrypto = await loadAcmeCrypto();
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  const [keyPem, certPem] = await acmeCrypto.createAlpnCertificate(
    { identifier: { type: 'dns', value: domain } } as never,
    keyAuthorization,
    key,
  );
  return createSecureContext({ key: keyPem, cert: certPem });
}
