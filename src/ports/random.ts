/** A number in [0, 1), evenly spread: where in a renewal window to renew. Fakes make it repeatable. */
export type Random = () => number;

export const RANDOM = Symbol.for('certdocs.Random');
