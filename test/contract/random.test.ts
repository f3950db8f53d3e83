import { runRandomContract } from './random.contract.js';

// What the composition root wires in production.
runRandomContract('Math.random', () => Math.random, { varied: true });
// The fixed draw the scheduler's unit tests use, so a window's middle is predictable.
runRandomContract('fixed 0.5 (unit tests)', () => () => 0.5, { varied: false });
runRandomContract('fixed 0 (the start of a window)', () => () => 0, { varied: false });
