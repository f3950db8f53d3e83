import 'reflect-metadata';
import { AcmeError } from '../domain/acme-errors.js';
import type { ObtainCertificate, StoredState } from '../domain/obtain-certificate.js';
import { PROBLEM_TEXT } from '../domain/renewal-policy.js';
import type { Command } from './command.js';
import { type CertTool, type ComposeOptions, composeCertTool } from './container.js';
import { pidFilePath, runningServerPid, signalServer } from './pid-file.js';
import { explainStartupFailure } from './startup-error.js';

export const CERT_USAGE = `Usage:
  certdocs cert status --domain NAME[,NAME] [--certs-dir DIR] [--acme-directory URL]
  certdocs cert renew  --domain NAME[,NAME] [--force] [--accept-tos] [ACME options]

status  shows the stored certificate: names, issuer, validity, next renewal and the CA's ARI window.
        Exits 1 when there is no usable certificate (handy for monitoring).
renew   renews when due (--force: now). If a certdocs server is running on this certs dir, it is
        asked to renew (SIGHUP), since it holds the challenge ports; otherwise the renewal runs
        here, listening where --challenge needs: the ACME port (http-01), --port (tls-alpn-01).
        With --store redis the replicas are asked through Redis: one of them orders, every one
        installs the result; only when no replica is running does the renewal run here.
`;

type CertCommand = Extract<Command, { kind: 'cert' }>;

/** `certdocs cert status|renew`: the operator's view of the certificate, reading --certs-dir. */
export async function runCertCommand(command: CertCommand, options: ComposeOptions = {}): Promise<number> {
  const tool = await composeCertTool(command.config, options);
  try {
    return command.action === 'status'
      ? await status(tool)
      : await renew(tool, command.config.acme.certsDir, command.force);
  } finally {
    await tool.close();
  }
}

async function status({ obtain, location }: CertTool): Promise<number> {
  const state = await obtain.stored();
  const out: [string, string][] = [['certificate', location]];
  describeState(state, out);
  if (state.active) {
    const ari = await Promise.race([
      obtain.renewalWindow(state.active.info).then(
        (w) =>
          w ? `${w.start.toISOString()} – ${w.end.toISOString()} (from the CA)` : 'the CA offers no ARI',
        (e: Error) => `could not ask the CA: ${e.message}`,
      ),
      new Promise<string>((r) => setTimeout(() => r('the CA did not answer within 10 s'), 10_000).unref()),
    ]);
    out.push(['ARI window', ari]);
  }
  print(out);
  return state.active ? 0 : 1;
}

async function renew(tool: CertTool, certsDir: string, force: boolean): Promise<number> {
  const { obtain } = tool;
  const before = await obtain.stored();
  if (!force && before.problem === undefined) {
    process.stdout.write(`not due: renews at ${before.renewAt?.toISOString()}; pass --force to renew now\n`);
    return 0;
  }
  if (tool.askReplicasToRenew) {
    // The replicas hold the challenge ports and the lease: one of them orders, all install it.
    const heard = await tool.askReplicasToRenew().catch((e: Error) => {
      process.stderr.write(`certdocs: cannot ask the replicas through the shared store: ${e.message}\n`);
      return undefined;
    });
    if (heard === undefined) return 1;
    if (heard > 0) {
      process.stdout.write(`asked ${heard} replica(s) to renew; waiting for the new certificate…\n`);
      return waitForNewCertificate(obtain, before);
    }
    process.stdout.write('no replica is watching the shared store; renewing here\n');
  }
  const pid = runningServerPid(certsDir);
  if (pid) {
    const asked = signalServer(pid, 'SIGHUP');
    if (asked === 'sent') {
      process.stdout.write(
        `asked the running server (pid ${pid}) to renew; waiting for the new certificate…\n`,
      );
      return waitForNewCertificate(obtain, before);
    }
    if (asked === 'forbidden') {
      process.stderr.write(
        `certdocs: the server (pid ${pid} in ${pidFilePath(certsDir)}) runs as another user; run this command as that user\n`,
      );
      return 1;
    }
    // 'gone': it exited after the pid check, so its ports are free and the renewal runs here.
  }

  const listeners = tool.challengeListeners();
  try {
    await listeners.start();
  } catch (e) {
    const explained = explainStartupFailure(e);
    if (!explained) throw e;
    process.stderr.write(`certdocs: ${explained.message}\n`);
    return 1;
  }
  try {
    const issued = await obtain.issue(before.active?.info.ariId);
    print([['renewed', 'yes'], ...summary(issued.info)]);
    return 0;
  } catch (e) {
    if (e instanceof AcmeError) {
      const explained = explainStartupFailure(e)?.message ?? `${e.code}: ${e.message}`;
      process.stderr.write(`certdocs: renewal failed: ${explained}\n`);
      return 1;
    }
    throw e;
  } finally {
    // Logs a listener that fails to close, and resolves.
    await listeners.stop();
  }
}

/** Waits for the server (or the replicas) asked to renew to store a new certificate. */
async function waitForNewCertificate(obtain: ObtainCertificate, before: StoredState): Promise<number> {
  const oldSerial = before.active?.info.serialHex;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    // A store that is away for a moment (Redis restarting) is looked at again.
    const now = await obtain.stored().catch(() => undefined);
    if (now?.active && now.active.info.serialHex !== oldSerial) {
      print([['renewed', 'yes'], ...summary(now.active.info)]);
      return 0;
    }
  }
  process.stderr.write(
    "certdocs: no new certificate after 120 s; see the server's (or the replicas') logs for the reason\n",
  );
  return 1;
}

function describeState(state: StoredState, out: [string, string][]): void {
  if (state.info) out.push(...summary(state.info));
  out.push(['state', state.problem ? PROBLEM_TEXT[state.problem] : 'valid']);
  if (state.renewAt)
    out.push(['next renewal', `${state.renewAt.toISOString()} (lifetime rule; ARI may move it)`]);
}

function summary(info: NonNullable<StoredState['info']>): [string, string][] {
  const daysLeft = Math.floor((info.notAfter.getTime() - Date.now()) / 86_400_000);
  return [
    ['names', info.names.join(', ')],
    ['issuer', info.issuer],
    ['serial', info.serialHex],
    ['not before', info.notBefore.toISOString()],
    ['not after', `${info.notAfter.toISOString()} (${daysLeft} days left)`],
  ];
}

function print(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
