/**
 * Test harness for Pebble (Let's Encrypt's ACME test CA) + pebble-challtestsrv
 * (used only as Pebble's mock DNS server: every name resolves to 127.0.0.1).
 *
 * Every run gets fresh random loopback ports, a fresh listener CA/cert (made
 * with the openssl CLI) and a temp dir; nothing listens outside 127.0.0.1.
 *
 * HTTP-01: Pebble validates `http://<identifier>:<httpPort>/.well-known/...`
 * and `<identifier>` resolves to 127.0.0.1, so the server under test must
 * answer HTTP-01 challenges on 127.0.0.1:httpPort. Likewise TLS-ALPN-01 on
 * tlsPort. challtestsrv's own HTTP-01/TLS-ALPN-01/HTTPS responders are
 * disabled so they never grab those ports.
 *
 * Requires the Debian package `pebble` (2.4.0): see scripts/install-test-deps.sh.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PebbleOptions {
  /** Lifetime of issued certificates, in seconds (Pebble default when omitted). */
  certificateValidityPeriod?: number;
  /** Require External Account Binding on newAccount. Default false. */
  eabRequired?: boolean;
  /** EAB key id -> base64url HMAC key. */
  eabKeys?: Record<string, string>;
  /** Percentage (0-100) of valid nonces Pebble rejects as badNonce. Default 0. */
  nonceReject?: number;
  /** Startup timeout in ms (waiting for /dir). Default 10000. */
  startTimeoutMs?: number;
}

export interface PebbleHarness {
  /** ACME directory URL, e.g. https://127.0.0.1:PORT/dir */
  directoryUrl: string;
  /** Pebble management base URL (https), e.g. https://127.0.0.1:PORT */
  managementUrl: string;
  /** PEM of the CA that signed Pebble's listener cert (trust it to talk to the directory). */
  caCertPem: string;
  /** Path of caCertPem on disk (handy for NODE_EXTRA_CA_CERTS in a child process). */
  caCertPath: string;
  /** Port Pebble connects to for HTTP-01 validation (on 127.0.0.1). */
  httpPort: number;
  /** Port Pebble connects to for TLS-ALPN-01 validation (on 127.0.0.1). */
  tlsPort: number;
  /** challtestsrv mock DNS port (127.0.0.1, UDP+TCP). */
  dnsPort: number;
  /** challtestsrv management URL (http), e.g. to add TXT records for DNS-01. */
  challtestsrvUrl: string;
  /** Fetches the current issuing root from management /roots/0 (regenerated per Pebble run). */
  rootPem(): Promise<string>;
  /** Kills Pebble and challtestsrv and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const PEBBLE_BIN = 'pebble';
const CHALLTESTSRV_BIN = 'pebble-challtestsrv';

/** True if both `pebble` and `pebble-challtestsrv` are executable on PATH. */
export function pebbleAvailable(): boolean {
  return findOnPath(PEBBLE_BIN) !== undefined && findOnPath(CHALLTESTSRV_BIN) !== undefined;
}

function findOnPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Cleanup of everything still running when the process goes away.
// ---------------------------------------------------------------------------

interface Live {
  procs: ChildProcess[];
  dir: string;
}
const live = new Set<Live>();
let exitHooksInstalled = false;

function killSync(l: Live): void {
  for (const p of l.procs) {
    if (p.exitCode === null && p.signalCode === null) {
      try {
        p.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  try {
    rmSync(l.dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

function cleanupAllSync(): void {
  for (const l of live) killSync(l);
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      cleanupAllSync();
      process.removeListener(sig, handler);
      // Preserve default behaviour (terminate) unless someone else handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** Reserves `n` distinct free TCP ports on 127.0.0.1 (all bound at once, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, LOOPBACK, () => resolve());
      });
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Generates a throwaway CA and a localhost/127.0.0.1 leaf signed by it. */
async function makeListenerCerts(
  dir: string,
): Promise<{ caPath: string; certPath: string; keyPath: string }> {
  const caPath = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  const csr = path.join(dir, 'leaf.csr');
  const ext = path.join(dir, 'leaf.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      caKey,
      '-out',
      caPath,
      '-days',
      '7',
      '-subj',
      '/CN=certdocs test pebble listener CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await run('openssl', ['req', ...ec, '-keyout', keyPath, '-out', csr, '-subj', '/CN=localhost'], dir);
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caPath,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      certPath,
      '-days',
      '7',
      '-extfile',
      ext,
    ],
    dir,
  );
  return { caPath, certPath, keyPath };
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${url}`)));
    req.on('error', reject);
  });
}

function tcpReachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: LOOPBACK, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keeps the last ~16 KiB of a child's stdout+stderr for error messages. */
function captureOutput(p: ChildProcess): () => string {
  let buf = '';
  const add = (chunk: Buffer): void => {
    buf += chunk.toString('utf8');
    if (buf.length > 16384) buf = buf.slice(-16384);
  };
  p.stdout?.on('data', add);
  p.stderr?.on('data', add);
  return () => buf;
}

function exitInfo(p: ChildProcess): string | undefined {
  if (p.exitCode !== null) return `exited with code ${p.exitCode}`;
  if (p.signalCode !== null) return `killed by ${p.signalCode}`;
  return undefined;
}

async function waitFor(
  what: string,
  deadline: number,
  procs: Array<{ name: string; proc: ChildProcess; output: () => string }>,
  probe: () => Promise<boolean>,
): Promise<void> {
  let lastErr = '';
  for (;;) {
    for (const { name, proc, output } of procs) {
      const info = exitInfo(proc);
      if (info) throw new Error(`${name} ${info} while waiting for ${what}. Output:\n${output()}`);
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastErr = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      const outs = procs.map(({ name, output }) => `--- ${name} output ---\n${output()}`).join('\n');
      throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${lastErr})` : ''}\n${outs}`);
    }
    await sleep(100);
  }
}

async function terminate(p: ChildProcess, graceMs = 3000): Promise<void> {
  if (exitInfo(p)) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exitInfo(p)) p.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------
// startPebble
// ---------------------------------------------------------------------------

/**
 * Starts pebble-challtestsrv (mock DNS) and Pebble on random loopback ports.
 * Retries a couple of times if a reserved port got taken in the meantime.
 */
export async function startPebble(opts: PebbleOptions = {}): Promise<PebbleHarness> {
  if (!pebbleAvailable()) {
    throw new Error('pebble / pebble-challtestsrv not found on PATH (run scripts/install-test-deps.sh)');
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      lastError = e;
      const msg = e instanceof Error ? e.message : String(e);
      if (!/address already in use/i.test(msg)) throw e;
    }
  }
  throw lastError;
}

async function startOnce(opts: PebbleOptions): Promise<PebbleHarness> {
  installExitHooks();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'certdocs-pebble-'));
  const entry: Live = { procs: [], dir };
  live.add(entry);
  try {
    const { caPath, certPath, keyPath } = await makeListenerCerts(dir);
    const caCertPem = await readFile(caPath, 'utf8');
    const [listenPort, mgmtPort, httpPort, tlsPort, dnsPort, ctsMgmtPort] = (await freePorts(6)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];

    // --- challtestsrv: mock DNS only (this version has no -doh flag) -------
    const cts = spawn(
      CHALLTESTSRV_BIN,
      [
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-defaultIPv4',
        LOOPBACK,
        '-defaultIPv6',
        '',
        '-dns01',
        `${LOOPBACK}:${dnsPort}`,
        '-management',
        `${LOOPBACK}:${ctsMgmtPort}`,
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    entry.procs.push(cts);
    const ctsOut = captureOutput(cts);

    const timeoutMs = opts.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const ctsInfo = { name: 'pebble-challtestsrv', proc: cts, output: ctsOut };
    await waitFor(`pebble-challtestsrv on ${LOOPBACK}:${ctsMgmtPort}`, deadline, [ctsInfo], () =>
      tcpReachable(ctsMgmtPort),
    );
    // DNS (TCP side; UDP is bound just before it in challtestsrv).
    await waitFor(`pebble-challtestsrv DNS on ${LOOPBACK}:${dnsPort}`, deadline, [ctsInfo], () =>
      tcpReachable(dnsPort),
    );

    // --- pebble -------------------------------------------------------------
    const pebbleConfig: Record<string, unknown> = {
      listenAddress: `${LOOPBACK}:${listenPort}`,
      managementListenAddress: `${LOOPBACK}:${mgmtPort}`,
      certificate: certPath,
      privateKey: keyPath,
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: opts.eabRequired ?? false,
      externalAccountMACKeys: opts.eabKeys ?? {},
      domainBlocklist: [],
    };
    if (opts.certificateValidityPeriod !== undefined) {
      pebbleConfig.certificateValidityPeriod = opts.certificateValidityPeriod;
    }
    const configPath = path.join(dir, 'pebble-config.json');
    await writeFile(configPath, JSON.stringify({ pebble: pebbleConfig }, null, 2));

    const pebble = spawn(PEBBLE_BIN, ['-config', configPath, '-dnsserver', `${LOOPBACK}:${dnsPort}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_AUTHZREUSE: '0',
        PEBBLE_WFE_NONCEREJECT: String(opts.nonceReject ?? 0),
      },
    });
    entry.procs.push(pebble);
    const pebbleOut = captureOutput(pebble);

    const directoryUrl = `https://${LOOPBACK}:${listenPort}/dir`;
    const managementUrl = `https://${LOOPBACK}:${mgmtPort}`;
    await waitFor(
      `Pebble directory ${directoryUrl} (timeout ${timeoutMs} ms)`,
      deadline,
      [{ name: 'pebble', proc: pebble, output: pebbleOut }, ctsInfo],
      async () => (await httpsGet(directoryUrl, caCertPem)).status === 200,
    );
    await waitFor(
      `Pebble management ${managementUrl}`,
      deadline,
      [{ name: 'pebble', proc: pebble, output: pebbleOut }],
      async () => (await httpsGet(`${managementUrl}/roots/0`, caCertPem)).status === 200,
    );

    let stopped: Promise<void> | undefined;
    return {
      directoryUrl,
      managementUrl,
      caCertPem,
      caCertPath: caPath,
      httpPort,
      tlsPort,
      dnsPort,
      challtestsrvUrl: `http://${LOOPBACK}:${ctsMgmtPort}`,
      async rootPem(): Promise<string> {
        const res = await httpsGet(`${managementUrl}/roots/0`, caCertPem);
        if (res.status !== 200) throw new Error(`GET ${managementUrl}/roots/0 -> ${res.status}: ${res.body}`);
        return res.body;
      },
      stop(): Promise<void> {
        stopped ??= (async () => {
          await Promise.all(entry.procs.map((p) => terminate(p)));
          live.delete(entry);
          await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (e) {
    await Promise.all(entry.procs.map((p) => terminate(p, 1000)));
    live.delete(entry);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
