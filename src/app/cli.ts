import module from 'node:module';
import { parseCommand } from './command.js';
import type { AppConfig } from './config.js';
import { composeServer, newAccessToken } from './container.js';
import type { Application } from './lifecycle.js';
import { helpText } from './options.js';
import { explainStartupFailure } from './startup-error.js';
import { VERSION } from './version.js';

/** `certdocs cert …` is loaded only for that command: a server start does not compile it. */
const certCli = () => import('./cert-cli.js');

/** The only reader of argv and the environment: both are parsed once, into a Command. */
async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2), process.env);
  switch (command.kind) {
    case 'help':
      process.stdout.write(command.of === 'cert' ? (await certCli()).CERT_USAGE : helpText(VERSION));
      return 0;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'invalid':
      for (const line of command.errors) process.stderr.write(`certdocs: ${line}\n`);
      if (command.showCertUsage) process.stderr.write((await certCli()).CERT_USAGE);
      return 2;
    case 'cert':
      return (await certCli()).runCertCommand(command);
    case 'token-new': {
      const { token, line } = await newAccessToken();
      process.stdout.write(
        `token (give it to the client, shown once):\n  ${token}\nline for the --auth-tokens-file file (append a name after it if you like):\n  ${line}\n`,
      );
      return 0;
    }
    case 'serve':
      return serve(command.config);
  }
}

async function serve(config: AppConfig): Promise<number> {
  const app: Application = composeServer(config);
  // Until start-up finishes there is nothing to drain: certificate and account files are written
  // atomically, so stopping mid-order loses nothing.
  const early = () => process.exit(0);
  process.once('SIGINT', early);
  process.once('SIGTERM', early);
  // SIGHUP asks for a renewal; during start-up the certificate is being made sure of anyway, and
  // the default action would end the process.
  const ignoreHup = () => undefined;
  process.on('SIGHUP', ignoreHup);
  try {
    await app.start();
  } catch (e) {
    const explained = explainStartupFailure(e);
    if (!explained) throw e;
    process.stderr.write(`certdocs: ${explained.message}\n`);
    return 2;
  }
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
  // Node >= 23 (see main.ts): write the compile cache now, with every module of a running server
  // in it (the MCP SDK loads just after start-up), not only at exit, which a SIGKILL never reaches.
  const flush = (module as { flushCompileCache?: () => void }).flushCompileCache;
  if (flush) setTimeout(flush, 2000).unref();
  process.off('SIGHUP', ignoreHup);
  // stop() runs every step and resolves; a second signal while stopping does not start it again.
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    app.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`certdocs: error while stopping: ${(e as Error).stack ?? e}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  const renewNow = app.renewNow;
  if (renewNow) process.on('SIGHUP', () => void renewNow());
  if (config.transport === 'stdio') process.stdin.once('end', shutdown);
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    process.stderr.write(`certdocs: unexpected error: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
