// The image's HEALTHCHECK: exit 0 when the certdocs server in this container serves, 1 otherwise.
//
// A HEALTHCHECK command sees the container's environment but not the arguments given to
// `docker run IMAGE --domain … --port …`, so the server's flags are read from its command line in
// /proc; flags win over environment variables, as in the CLI. Where /healthz is depends on the mode:
//   no domain                  http://HOST:PORT/healthz (PORT 8080 by default)
//   domain, http-01 on         http://HOST:ACME_PORT/healthz (80): 200 only once HTTPS serves
//   domain, tls-alpn-01 only   https://HOST:PORT/healthz (443); the certificate is not verified:
//                              this asks whether the server answers, not whether clients trust it
//   stdio transport            nothing listens: healthy while the process runs
// HOST is --host unless that is a wildcard address, else 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';

const TIMEOUT_MS = 4000;

/** argv after the script of the certdocs process: PID 1 normally, any other under an init. */
function serverArgs() {
  const pids = ['1', ...readdirSync('/proc').filter((p) => /^\d+$/.test(p) && p !== '1')];
  for (const pid of pids) {
    if (pid === String(process.pid)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    } catch {
      continue; // gone, or not ours to read
    }
    const script = argv.findIndex((a) => a.endsWith('/certdocs.js'));
    if (script >= 0) return argv.slice(script + 1);
  }
  return [];
}

const { values: flags } = parseArgs({
  args: serverArgs(),
  strict: false,
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    'acme-port': { type: 'string' },
    domain: { type: 'string' },
    host: { type: 'string' },
    challenge: { type: 'string' },
    transport: { type: 'string' },
  },
});
const setting = (flag, env) => flags[flag] ?? (process.env[env] || undefined);

const domain = setting('domain', 'DOMAIN');
const bind = setting('host', 'HOST');
const host = !bind || bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
const challenges = (setting('challenge', 'ACME_CHALLENGE') ?? 'http-01').split(',').map((c) => c.trim());

let target;
if (setting('transport', 'MCP_TRANSPORT') === 'stdio') process.exit(0);
else if (!domain) target = { scheme: 'http', port: setting('port', 'PORT') ?? '8080' };
else if (challenges.includes('http-01'))
  target = { scheme: 'http', port: setting('acme-port', 'ACME_PORT') ?? '80' };
else target = { scheme: 'https', port: setting('port', 'PORT') ?? '443' };

const request = target.scheme === 'https' ? httpsRequest : httpRequest;
const req = request(
  {
    host,
    port: Number(target.port),
    path: '/healthz',
    timeout: TIMEOUT_MS,
    ...(target.scheme === 'https' ? { servername: domain.split(',')[0], rejectUnauthorized: false } : {}),
  },
  (res) => {
    res.resume();
    const ok = res.statusCode === 200;
    if (!ok) console.log(`${target.scheme}://${host}:${target.port}/healthz -> ${res.statusCode}`);
    process.exit(ok ? 0 : 1);
  },
);
req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
req.on('error', (e) => {
  console.log(`${target.scheme}://${host}:${target.port}/healthz: ${e.message}`);
  process.exit(1);
});
req.end();
