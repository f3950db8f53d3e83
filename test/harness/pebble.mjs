// @ts-check
/**
 * Pebble (Let's Encrypt's ACME test CA) + pebble-challtestsrv (used only as Pebble's mock DNS
 * server: every name resolves to 127.0.0.1), for the tests and the benchmarks.
 *
 * Every run gets fresh random loopback ports, a fresh listener CA/cert (made with the openssl CLI)
 * and a temp dir; nothing listens outside 127.0.0.1.
 *
 * HTTP-01: Pebble validates `http://<identifier>:<httpPort>/.well-known/...` and `<identifier>`
 * resolves to 127.0.0.1, so the server under test must answer HTTP-01 challenges on
 * 127.0.0.1:httpPort. Likewise TLS-ALPN-01 on tlsPort. challtestsrv's own HTTP-01/TLS-ALPN-01/HTTPS
 * responders are disabled so they never grab those ports.
 *
 * Requires the Debian package `pebble` (2.4.0): see scripts/install-test-deps.sh.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOnPath, freePorts, LOOPBACK, launch, onExit, terminate, waitFor } from './processes.mjs';

/**
 * @typedef {object} PebbleOptions
 * @property {number} [certificateValidityPeriod] Lifetime of issued certificates, in seconds
 *   (Pebble default when omitted).
 * @property {boolean} [eabRequired] Require External Account Binding on newAccount. Default false.
 * @property {Record<string, string>} [eabKeys] EAB key id -> base64url HMAC key.
 * @property {number} [nonceReject] Percentage (0-100) of valid nonces Pebble rejects as badNonce. Default 0.
 * @property {number} [startTimeoutMs] Startup timeout in ms (waiting for /dir). Default 10000.
 * @property {(line: string) => void} [onOutputLine] Called with each line Pebble logs (`Added order
 *   "…" to the db`, `Issued certificate serial … for order …`): what the CA saw, from any client.
 */

/**
 * @typedef {object} PebbleHarness
 * @property {string} directoryUrl ACME directory URL, e.g. https://127.0.0.1:PORT/dir
 * @property {string} managementUrl Pebble management base URL (https), e.g. https://127.0.0.1:PORT
 * @property {string} caCertPem PEM of the CA that signed Pebble's listener cert (trust it to talk
 *   to the directory).
 * @property {string} caCertPath Path of caCertPem on disk (for NODE_EXTRA_CA_CERTS in a child process).
 * @property {number} httpPort Port Pebble connects to for HTTP-01 validation (on 127.0.0.1).
 * @property {number} tlsPort Port Pebble connects to for TLS-ALPN-01 validation (on 127.0.0.1).
 * @property {number} dnsPort challtestsrv mock DNS port (127.0.0.1, UDP+TCP).
 * @property {string} challtestsrvUrl challtestsrv management URL (http), e.g. to add TXT records for DNS-01.
 * @property {() => Promise<string>} rootPem Fetches the current issuing root from management
 *   /roots/0 (regenerated per Pebble run).
 * @property {() => Promise<void>} stop Kills Pebble and challtestsrv and removes the temp dir. Idempotent.
 */

const PEBBLE_BIN = 'pebble';
const CHALLTESTSRV_BIN = 'pebble-challtestsrv';

/** @returns {boolean} true if both `pebble` and `pebble-challtestsrv` are executable on PATH. */
export function pebbleAvailable() {
  return findOnPath(PEBBLE_BIN) !== undefined && findOnPath(CHALLTESTSRV_BIN) !== undefined;
}

/** Temp dirs of Pebbles still running, removed if the process goes away before stop(). */
const liveDirs = new Set();
let removeDirsOnExit = () => {
  onExit(() => {
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
  removeDirsOnExit = () => {};
};

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<void>}
 */
function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

/**
 * Generates a throwaway CA and a localhost/127.0.0.1 leaf signed by it.
 * @param {string} dir
 */
async function makeListenerCerts(dir) {
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

/**
 * @param {string} url
 * @param {string} ca
 * @returns {Promise<{ status: number, body: string }>}
 */
function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (/** @type {string} */ c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${url}`)));
    req.on('error', reject);
  });
}

/**
 * @param {number} port
 * @returns {Promise<true | undefined>} true once something accepts connections on 127.0.0.1:port
 */
function tcpReachable(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: LOOPBACK, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(undefined));
  });
}

/**
 * Starts pebble-challtestsrv (mock DNS) and Pebble on random loopback ports.
 * Retries a couple of times if a reserved port got taken in the meantime.
 * @param {PebbleOptions} [opts]
 * @returns {Promise<PebbleHarness>}
 */
export async function startPebble(opts = {}) {
  if (!pebbleAvailable()) {
    throw new Error('pebble / pebble-challtestsrv not found on PATH (run scripts/install-test-deps.sh)');
  }
  let lastError;
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

/**
 * @param {PebbleOptions} opts
 * @returns {Promise<PebbleHarness>}
 */
async function startOnce(opts) {
  removeDirsOnExit();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'certdocs-pebble-'));
  liveDirs.add(dir);
  /** @type {import('./processes.mjs').Launched[]} */
  const procs = [];
  const cleanUp = async (/** @type {number} */ graceMs) => {
    await Promise.all(procs.map((p) => terminate(p, graceMs)));
    liveDirs.delete(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { caPath, certPath, keyPath } = await makeListenerCerts(dir);
    const caCertPem = await readFile(caPath, 'utf8');
    const [listenPort, mgmtPort, httpPort, tlsPort, dnsPort, ctsMgmtPort] = /** @type {number[]} */ (
      await freePorts(6)
    );

    // --- challtestsrv: mock DNS only (this version has no -doh flag) -------
    const cts = launch(
      CHALLTESTSRV_BIN,
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
      { cwd: dir, keepChars: 16384 },
    );
    procs.push(cts);

    const timeoutMs = opts.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    await waitFor(`pebble-challtestsrv on ${LOOPBACK}:${ctsMgmtPort}`, left(), cts, () =>
      tcpReachable(/** @type {number} */ (ctsMgmtPort)),
    );
    // DNS (TCP side; UDP is bound just before it in challtestsrv).
    await waitFor(`pebble-challtestsrv DNS on ${LOOPBACK}:${dnsPort}`, left(), cts, () =>
      tcpReachable(/** @type {number} */ (dnsPort)),
    );

    // --- pebble -------------------------------------------------------------
    /** @type {Record<string, unknown>} */
    const pebbleConfig = {
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

    const pebble = launch(
      PEBBLE_BIN,
      PEBBLE_BIN,
      ['-config', configPath, '-dnsserver', `${LOOPBACK}:${dnsPort}`],
      {
        cwd: dir,
        keepChars: 16384,
        onOutputLine: opts.onOutputLine,
        env: {
          ...process.env,
          PEBBLE_VA_NOSLEEP: '1',
          PEBBLE_AUTHZREUSE: '0',
          PEBBLE_WFE_NONCEREJECT: String(opts.nonceReject ?? 0),
        },
      },
    );
    procs.push(pebble);

    const directoryUrl = `https://${LOOPBACK}:${listenPort}/dir`;
    const managementUrl = `https://${LOOPBACK}:${mgmtPort}`;
    await waitFor(
      `Pebble directory ${directoryUrl} (timeout ${timeoutMs} ms)`,
      left(),
      [pebble, cts],
      async () => ((await httpsGet(directoryUrl, caCertPem)).status === 200 ? true : undefined),
    );
    await waitFor(`Pebble management ${managementUrl}`, left(), pebble, async () =>
      (await httpsGet(`${managementUrl}/roots/0`, caCertPem)).status === 200 ? true : undefined,
    );

    /** @type {Promise<void> | undefined} */
    let stopped;
    return {
      directoryUrl,
      managementUrl,
      caCertPem,
      caCertPath: caPath,
      httpPort: /** @type {number} */ (httpPort),
      tlsPort: /** @type {number} */ (tlsPort),
      dnsPort: /** @type {number} */ (dnsPort),
      challtestsrvUrl: `http://${LOOPBACK}:${ctsMgmtPort}`,
      async rootPem() {
        const res = await httpsGet(`${managementUrl}/roots/0`, caCertPem);
        if (res.status !== 200) throw new Error(`GET ${managementUrl}/roots/0 -> ${res.status}: ${res.body}`);
        return res.body;
      },
      stop() {
        stopped ??= cleanUp(3000);
        return stopped;
      },
    };
  } catch (e) {
    await cleanUp(1000);
    throw e;
  }
}
