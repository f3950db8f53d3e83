import type { ChallengeType, ExternalAccountBinding } from '../domain/certificate.js';
import type { DomainNames } from '../domain/domain-name.js';
import type { Duration, Port, RateLimit } from './config-values.js';

/**
 * The configuration as config.ts makes it from flags and environment: typed values, checked once,
 * that the composition root and the CLI trust without checking again.
 */

export type DocsLocation =
  | { kind: 'dir'; location: string }
  | { kind: 'hugo-file'; location: string }
  | { kind: 'hugo-url'; location: string };

export interface AcmeConfig {
  readonly domains: DomainNames;
  readonly email?: string;
  readonly directoryUrl: string;
  readonly acmePort: Port;
  readonly certsDir: string;
  readonly acceptTos: boolean;
  readonly profile?: string;
  readonly eab?: ExternalAccountBinding;
  readonly challenges: readonly [ChallengeType, ...ChallengeType[]];
  /** Absent: `{ kind: 'fs' }` in `certsDir`, as before part 7. */
  readonly store?: StoreConfig;
}

/**
 * Where the certificate, its key and the ACME account live: files in `--certs-dir` (one replica),
 * or Redis, shared by every replica, with private keys encrypted when a store key is given.
 */
export type StoreConfig =
  | { readonly kind: 'fs' }
  | {
      readonly kind: 'redis';
      /** redis:// or rediss://; may carry a password, so it is never logged or echoed. */
      readonly url: string;
      /** 32 bytes for AES-256-GCM, or undefined: keys are stored in the clear. */
      readonly key?: Uint8Array;
      /** How long the ordering replica's lease lasts (`--order-lease`). */
      readonly leaseMs: number;
    };

/**
 * Where GET /metrics is served: on the MCP listener (behind its Origin/Host guard, HTTPS with a
 * domain), on a plain-HTTP port of its own, or nowhere (nothing is recorded then).
 */
export type MetricsEndpoint =
  | { readonly on: 'main' }
  | { readonly on: 'own-port'; readonly port: Port }
  | { readonly on: 'off' };

/** Who may use the MCP and search routes (part 9). */
export type AuthConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'token'; readonly tokensFile: string }
  | {
      readonly mode: 'oauth';
      readonly issuer: string;
      /** The resource identifier tokens must be issued for (RFC 8707). */
      readonly audience: string;
      readonly scopes: readonly string[];
      readonly client?: { readonly id: string; readonly secret: string };
    };

export interface AppConfig {
  readonly docs: DocsLocation;
  readonly transport: 'http' | 'stdio';
  readonly host?: string;
  readonly port: Port;
  readonly allowedHosts: string[];
  readonly allowedOrigins: string[];
  readonly maxBodyBytes: number;
  /** Connections open at once on each listening port. */
  readonly maxConnections: number;
  /** Per client address on the MCP routes and /api/search; undefined: no limit. */
  readonly rateLimit?: RateLimit;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** auto: pretty when stderr is a terminal (decided where the logger is made), else JSON lines. */
  readonly logFormat?: 'json' | 'pretty' | 'auto';
  /** Re-fetch interval for URL sources (0: never). */
  readonly refreshInterval: Duration;
  /** Where the built index is kept between runs (absolute), or undefined: rebuilt every start. */
  readonly indexCache?: string;
  readonly acme?: AcmeConfig;
  /** Absent: on the MCP listener, as by default. */
  readonly metrics?: MetricsEndpoint;
  /** Absent: `{ mode: 'none' }`. */
  readonly auth?: AuthConfig;
  /** With auth on: keep counts and certificate details on /healthz. */
  readonly healthDetails?: boolean;
}
