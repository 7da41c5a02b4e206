// Property tests' run counts and seed, from the environment when hunting a rare counterexample
// (a generator that leaves the code's domain once in thousands of runs fails CI at random):
//   FC_NUM_RUNS=20000 FC_SEED=7 npx vitest run test/core/rounding.test.ts
// FC_NUM_RUNS replaces every property's own count; FC_SEED fixes the seed (fast-check prints
// the seed and path of any failure, to replay it). Unset, each property runs as written.
// Under CI the seed is fixed (CI_SEED unless FC_SEED says otherwise): CI's verdict is a function
// of the commit, never of the draw — a rare counterexample an unrelated commit happened to draw
// blocked its landing. Every run on a developer's machine draws anew, and goes on hunting.
import fc from "fast-check";

/** The seed every property runs with under CI. */
export const CI_SEED = 20261206;

const envRuns = Number(process.env.FC_NUM_RUNS);
const onCi =
  process.env.CI !== undefined &&
  process.env.CI !== "" &&
  process.env.CI !== "false" &&
  process.env.CI !== "0";
const envSeed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : onCi ? CI_SEED : Number.NaN;

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
