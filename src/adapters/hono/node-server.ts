import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface TlsMaterial {
  readonly keyPem: string;
  readonly certPem: string;
}

/**
 * A listener that owns the port and hands connections over (the TLS-ALPN-01 front door): the
 * HTTPS server then listens on nothing itself.
 */
export interface HandoffListener {
  setTarget(server: Server | HttpsServer): void;
  readonly port: number;
}

export interface RunningServer {
  readonly server: Server | HttpsServer;
  readonly url: string;
  readonly port: number;
  /** New TLS handshakes use the new certificate; open connections keep theirs. */
  setCertificate(tls: TlsMaterial): void;
  close(): Promise<void>;
}

/** Serves a Hono app with Node's http or https server on host:port (port 0 picks a free one). */
export async function serveNode(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env works here
  app: Hono<any>,
  opts: {
    host?: string;
    port: number;
    tls?: TlsMaterial;
    /** Connections come from this listener (TLS-ALPN front door) instead of our own listen(). */
    frontDoor?: HandoffListener;
  },
): Promise<RunningServer> {
  const server = opts.tls
    ? (createAdaptorServer({
        fetch: app.fetch,
        createServer: createHttpsServer,
        serverOptions: { key: opts.tls.keyPem, cert: opts.tls.certPem },
      }) as HttpsServer)
    : (createAdaptorServer({ fetch: app.fetch }) as Server);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const frontDoor = opts.frontDoor;
  if (frontDoor) {
    frontDoor.setTarget(server);
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  const address = frontDoor
    ? ({ address: opts.host ?? '0.0.0.0', family: 'IPv4', port: frontDoor.port } as AddressInfo)
    : (server.address() as AddressInfo);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
  const url = `${opts.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
  return {
    server,
    url,
    port: address.port,
    setCertificate(tls) {
      if (!opts.tls) throw new Error('setCertificate on a plain HTTP server');
      (server as HttpsServer).setSecureContext({ key: tls.keyPem, cert: tls.certPem });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
