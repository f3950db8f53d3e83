import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChallengeAnswers } from '../../ports/challenge-answers.js';
import type { ChallengeResponder } from '../../ports/challenge-responder.js';
import { InMemoryChallengeAnswers } from '../memory/in-memory-challenge-answers.js';
import type { HealthFields } from './docs-http-app.js';
import { type ConnectionLimits, listenNode, type RunningServer } from './node-listener.js';
import { hostnameOf } from './request-guard.js';

export interface ChallengeResponderOptions {
  readonly host?: string;
  readonly port: number;
  /** Where the 301 for every other path points. */
  readonly domains: readonly string[];
  readonly httpsPort: number;
  readonly health?: HealthFields;
  /** Timeouts and connection cap for this port (defaults: DEFAULT_CONNECTION_LIMITS). */
  readonly limits?: Partial<ConnectionLimits>;
  /** Where answers are kept; shared by the replicas on `--store redis`. Default: this process's memory. */
  readonly answers?: ChallengeAnswers;
  /** Told when the answers cannot be read (Redis away); the request gets a 503. */
  readonly onLookupError?: (error: Error) => void;
}

/** How long an answer is kept at most: a CA validates within minutes; one left behind by a crash expires. */
const ANSWER_TTL_MS = 15 * 60_000;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * The port-80 side of certdocs: answers HTTP-01 challenges, says on /healthz whether HTTPS is up,
 * and sends everything else to HTTPS with a 301. It stays up after issuance: renewals need it,
 * and users expect http:// to redirect.
 *
 * Three routes, answered from Node's request and response directly: no Hono app and no
 * `@hono/node-server`, whose fetch Request class loads undici. This listener is on the way to a
 * first certificate, and (with the routes this small) that was ~20 ms of loading for nothing.
 */
export class HonoChallengeResponder implements ChallengeResponder {
  private readonly answers: ChallengeAnswers;
  private running: RunningServer | undefined;
  private ready = false;
  private httpsPort: number;

  constructor(private readonly options: ChallengeResponderOptions) {
    this.httpsPort = options.httpsPort;
    this.answers = options.answers ?? new InMemoryChallengeAnswers();
  }

  async present(token: string, keyAuthorization: string): Promise<void> {
    await this.answers.put(token, keyAuthorization, ANSWER_TTL_MS);
  }

  async remove(token: string): Promise<void> {
    await this.answers.remove(token);
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /** The HTTPS port actually bound (differs from the configured one when that was 0). */
  setHttpsPort(port: number): void {
    this.httpsPort = port;
  }

  async start(): Promise<{ url: string; port: number }> {
    const listener = await listenNode({
      host: this.options.host,
      port: this.options.port,
      limits: this.options.limits,
    });
    listener.serve((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) send(req, res, 500, TEXT, 'Internal Server Error');
        else res.destroy();
      });
    });
    this.running = listener;
    return { url: listener.url, port: listener.port };
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = requestTarget(req.url);
    const read = req.method === 'GET' || req.method === 'HEAD';
    const token = read ? challengeToken(target.pathname) : undefined;
    if (token !== undefined) {
      let answer: string | undefined;
      try {
        answer = TOKEN.test(token) ? await this.answers.get(token) : undefined;
      } catch (e) {
        this.options.onLookupError?.(e as Error);
        return send(req, res, 503, { ...TEXT, 'cache-control': 'no-store' }, 'challenge answers unavailable');
      }
      if (answer === undefined) return send(req, res, 404, TEXT, 'unknown challenge token');
      return send(req, res, 200, { ...TEXT, 'cache-control': 'no-store' }, answer);
    }
    if (read && target.pathname === '/healthz') {
      const body = JSON.stringify({
        status: this.ready ? 'ok' : 'obtaining certificate',
        https: this.ready,
        ...this.options.health?.(),
      });
      return send(req, res, this.ready ? 200 : 503, JSON_TYPE, body);
    }
    const requested = hostnameOf(req.headers.host ?? '');
    // Redirect only to our own names: a forged Host must not turn this into an open redirect.
    const host = this.options.domains.includes(requested) ? requested : this.options.domains[0];
    const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
    res.writeHead(301, { location: `https://${host}${port}${target.pathname}${target.search}` });
    res.end();
  }
}

const TEXT = { 'content-type': 'text/plain; charset=UTF-8' };
const JSON_TYPE = { 'content-type': 'application/json' };
const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The path and query of a request target, normalised as a URL parser does (dot segments, escapes). */
function requestTarget(raw: string | undefined): { pathname: string; search: string } {
  try {
    const url = new URL(raw?.startsWith('/') ? `http://h${raw}` : (raw ?? '/'));
    return { pathname: url.pathname, search: url.search };
  } catch {
    return { pathname: '/', search: '' };
  }
}

/** The token of `/.well-known/acme-challenge/<token>` (one path segment, percent-decoded), if that is the path. */
function challengeToken(pathname: string): string | undefined {
  if (!pathname.startsWith(CHALLENGE_PREFIX)) return undefined;
  const segment = pathname.slice(CHALLENGE_PREFIX.length);
  if (!segment || segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
