// @ts-check
/**
 * A round-robin TCP proxy on 127.0.0.1, standing in for a load balancer in front of replicas: each
 * connection goes to the next target in turn. Targets can be taken out (a dead replica), and new
 * connections can be held (accepted, not forwarded) until release(), to catch a replica in the
 * middle of an order: Pebble's HTTP-01 validation waits while its connection is held.
 */
import * as net from 'node:net';
import { LOOPBACK } from './processes.mjs';

export class RoundRobinProxy {
  /** The target each forwarded connection went to, in order. @type {number[]} */
  hits = [];
  /** Targets taken out: no connection goes to them. @type {Set<number>} */
  down = new Set();
  /** Connections accepted while holding, waiting for release(). @type {net.Socket[]} */
  held = [];
  next = 0;
  holding = false;
  /** @type {Set<net.Socket>} */
  sockets = new Set();
  /** Called with each connection that is held. @type {(socket: net.Socket) => void} */
  onHeld = () => {};

  /** @param {readonly number[]} targets ports on 127.0.0.1 */
  constructor(targets) {
    this.targets = targets;
    this.server = net.createServer((inbound) => {
      this.sockets.add(inbound);
      inbound.on('close', () => this.sockets.delete(inbound));
      inbound.on('error', () => inbound.destroy());
      if (this.holding) {
        this.held.push(inbound);
        this.onHeld(inbound);
      } else this.forward(inbound);
    });
  }

  /**
   * Sends the connection to the next live target. A target that refuses the connection (its port
   * not listening yet, or any more) is passed over for the next one, as a load balancer retries a
   * connect failure on another backend: replicas started together do not all listen at the same
   * moment, and a validation must not fail because it reached one that is still starting.
   * `hits` records the target that took the connection.
   * @param {net.Socket} inbound
   * @param {Set<number>} tried the targets this connection already tried (and was refused by)
   */
  forward(inbound, tried = new Set()) {
    const live = this.targets.filter((t) => !this.down.has(t) && !tried.has(t));
    const target = live[this.next++ % live.length];
    if (target === undefined || inbound.destroyed) return inbound.destroy();
    tried.add(target);
    const outbound = net.connect(target, LOOPBACK);
    this.sockets.add(outbound);
    outbound.on('close', () => this.sockets.delete(outbound));
    /** @param {NodeJS.ErrnoException} e */
    const refused = (e) => {
      outbound.destroy();
      if (e.code === 'ECONNREFUSED') this.forward(inbound, tried);
      else inbound.destroy();
    };
    outbound.once('error', refused);
    outbound.once('connect', () => {
      outbound.off('error', refused);
      this.hits.push(target);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
      // The inbound socket has no reader until here, so what it received meanwhile is kept.
      inbound.pipe(outbound).pipe(inbound);
    });
  }

  /** Holds new connections from now on, until release(). */
  hold() {
    this.holding = true;
  }

  /** Stops holding and forwards the held connections to the live targets. */
  release() {
    this.holding = false;
    for (const socket of this.held.splice(0)) this.forward(socket);
  }

  /** @param {number} port */
  listen(port) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, LOOPBACK, () => resolve(undefined));
    });
  }

  /** @returns {Promise<void>} */
  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
