import 'reflect-metadata';
import { StartupError, startApp } from './app.js';
import { runCertCommand } from './cert-cli.js';
import { helpText, parseConfig } from './config.js';
import { VERSION } from './version.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'cert') return runCertCommand(argv.slice(1), process.env);
  const parsed = parseConfig(argv, process.env);
  if (parsed.ok === 'help') {
    process.stdout.write(helpText(VERSION));
    return 0;
  }
  if (parsed.ok === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!parsed.ok) {
    for (const line of parsed.errors) process.stderr.write(`certdocs: ${line}\n`);
    return 2;
  }
  if (argv.includes('--force')) {
    process.stderr.write('certdocs: --force: only meaningful with `certdocs cert renew`\n');
    return 2;
  }
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  // Until start-up finishes there is nothing to drain: certificate and account files are written
  // atomically, so stopping mid-order loses nothing.
  const early = () => process.exit(0);
  process.once('SIGINT', early);
  process.once('SIGTERM', early);
  try {
    app = await startApp(parsed.config);
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`certdocs: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
  const running = app;
  // stop() runs every step and resolves; a second signal while stopping does not start it again.
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`certdocs: error while stopping: ${(e as Error).stack ?? e}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  const renewNow = running.renewNow;
  if (renewNow) process.on('SIGHUP', () => void renewNow());
  if (parsed.config.transport === 'stdio') process.stdin.once('end', shutdown);
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
