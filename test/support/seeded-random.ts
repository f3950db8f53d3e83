/**
 * A deterministic stand-in for Math.random (a linear congruential generator): tests that draw
 * random corpora and queries get the same ones on every run, so a failure can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
