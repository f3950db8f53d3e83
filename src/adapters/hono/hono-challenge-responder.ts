import { Hono } from 'hono';
import type { ChallengeAnswers } from '../../ports/challenge-answers.js';
import type { ChallengeResponder } from '../../ports/challenge-responder.js';
import { InMemoryChallengeAnswers } from '../memory/in-memory-challenge-answers.js';
import type { HealthFields } from './docs-http-app.js';
import { type ConnectionLimits, type RunningServer, serveNode } from './node-server.js';
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
 */
export class HonoChallengeResponder implements ChallengeResponder {
  private readonly answers: ChallengeAnswers;
  private running: RunningServer | undefined;
  private ready = false;
  private httpsPort: number;
  readonly app: Hono;

  constructor(private readonly options: ChallengeResponderOptions) {
    this.httpsPort = options.httpsPort;
    this.answers = options.answers ?? new InMemoryChallengeAnswers();
    this.app = this.build();
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
    this.running = await serveNode(this.app, {
      host: this.options.host,
      port: this.options.port,
      limits: this.options.limits,
    });
    return { url: this.running.url, port: this.running.port };
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  private build(): Hono {
    const app = new Hono();
    app.get('/.well-known/acme-challenge/:token', async (c) => {
      const token = c.req.param('token');
      let answer: string | undefined;
      try {
        answer = TOKEN.test(token) ? await this.answers.get(token) : undefined;
      } catch (e) {
        this.options.onLookupError?.(e as Error);
        return c.text('challenge answers unavailable', 503, { 'cache-control': 'no-store' });
      }
      if (answer === undefined) return c.text('unknown challenge token', 404);
      return c.text(answer, 200, { 'cache-control': 'no-store' });
    });
    app.get('/healthz', (c) =>
      c.json(
        {
          status: this.ready ? 'ok' : 'obtaining certificate',
          https: this.ready,
          ...this.options.health?.(),
        },
        this.ready ? 200 : 503,
      ),
    );
    app.all('*', (c) => {
      const requested = hostnameOf(c.req.header('host') ?? '');
      // Redirect only to our own names: a forged Host must not turn this into an open redirect.
      const host = this.options.domains.includes(requested) ? requested : this.options.domains[0];
      const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
      const url = new URL(c.req.url);
      return c.redirect(`https://${host}${port}${url.pathname}${url.search}`, 301);
    });
    return app;
  }
}
