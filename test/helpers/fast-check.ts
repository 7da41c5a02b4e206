// Property tests' run counts and seed, from the environment when hunting a rare counterexample
// (a generator that leaves the code's domain once in thousands of runs fails CI at random):
//   FC_NUM_RUNS=20000 FC_SEED=7 npx vitest run test/core/rounding.test.ts
// FC_NUM_RUNS replaces every property's own count; FC_SEED fixes the seed (fast-check prints
// the seed and path of any failure, to replay it). Unset, each property runs as written.
import fc from "fast-check";

const envRuns = Number(process.env.FC_NUM_RUNS);
const envSeed = process.env.FC_SEED === undefined ? Number.NaN : Number(process.env.FC_SEED);

fc.configureGlobal({
  ...fc.readConfigureGlobal(),
  ...(envRuns > 0 ? { numRuns: envRuns } : {}),
  ...(Number.isInteger(envSeed) ? { seed: envSeed } : {}),
});

/** FC_NUM_RUNS is set: a hunt, where no property stops early for time. */
export const fcHunting = envRuns > 0;

/** A property's run count: `n`, or FC_NUM_RUNS when set. */
export function fcRuns(n: number): number {
  return envRuns > 0 ? envRuns : n;
}
