/** A start-up problem the user fixes by changing config; printed as one line naming the option. */
export class StartupError extends Error {}

/**
 * A port that is taken or privileged is a configuration problem: the message names the flag to
 * change (`flag` as in "--port (PORT)"), not a stack trace.
 */
export function explainListenError(e: unknown, flag: string, port: number, host?: string): StartupError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`${flag}: ${port} is already in use by another process`);
  if (code === 'EACCES') {
    const hint = port > 0 && port < 1024 ? '; ports below 1024 need root or CAP_NET_BIND_SERVICE' : '';
    return new StartupError(`${flag}: not allowed to listen on ${port}${hint}`);
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(`--host (HOST): ${host ?? 'the host'} is not an address of this machine`);
  }
  const reason = code ?? (e instanceof Error ? e.message : String(e));
  return new StartupError(`${flag}: cannot listen on ${port}: ${reason}`);
}
