import { get, globalAgent } from 'node:https';

/**
 * Opens the connection to the CA while acme-client and the rest of certdocs are still loading:
 * a GET of the directory through Node's global agent, which keeps the socket alive (Node >= 19)
 * for acme-client's first request (axios uses that agent too), so the TCP and TLS handshakes are
 * out of the way before the order starts. Anything going wrong is left for the order to meet.
 */
export function warmConnection(directoryUrl: string): void {
  let url: URL;
  try {
    url = new URL(directoryUrl);
  } catch {
    return;
  }
  if (url.protocol !== 'https:') return;
  const req = get(url, { agent: globalAgent, timeout: 10_000 }, (res) => res.resume());
  req.on('timeout', () => req.destroy());
  req.on('error', () => undefined);
}
