import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import {
  type ConnectionLimits,
  type HandoffListener,
  listenNode,
  type NodeListener,
  type RunningServer,
  type TlsMaterial,
} from './node-listener.js';

export {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  type HandoffListener,
  HSTS,
  type NodeListener,
  type RunningServer,
  TLS_HARDENING,
  type TlsMaterial,
} from './node-listener.js';

/**
 * Serves a Hono app with Node's http or https server on host:port (port 0 picks a free one), or
 * on `adopt`, a listener already up (started from a stored certificate before the app was loaded).
 */
export async function serveNode(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env works here
  app: Hono<any>,
  opts: {
    host?: string;
    port: number;
    tls?: TlsMaterial;
    /** Connections come from this listener (TLS-ALPN front door) instead of our own listen(). */
    frontDoor?: HandoffListener;
    limits?: Partial<ConnectionLimits>;
    /** A listener already up on this port: it serves the app from now on. */
    adopt?: NodeListener;
    /** Answers what it can on Node's request before the app (returns false for the rest). */
    front?: (req: IncomingMessage, res: ServerResponse) => boolean;
  },
): Promise<RunningServer> {
  const listener = opts.adopt ?? (await listenNode(opts));
  const honoListener = getRequestListener(app.fetch);
  const front = opts.front;
  listener.serve(
    front
      ? (req, res) => {
          if (!front(req, res)) void honoListener(req, res);
        }
      : honoListener,
  );
  return listener;
}
