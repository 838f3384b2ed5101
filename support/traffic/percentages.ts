import { UserError } from "../errors/user-error.ts";

// Percentages and percentiles that steps state. A share above 100% (or below 0) or a p0/p150 cannot mean anything, and
// a check against one passes whatever the traffic did: `kubequake lint` finds them in the feature files, and the
// checks refuse them at run time with the same words (tooling/lint/argument-ranges.ts uses these).

/** Why `value` is not a percentage (0 to 100, fractions allowed), or undefined when it is one. */
export function percentProblem(value: number): string | undefined {
  return Number.isFinite(value) && value >= 0 && value <= 100
    ? undefined
    : `${value}% is not a percentage: a share lies from 0% to 100%`;
}

/** Why `p` is not a percentile (a whole number from 1 to 100: p50, p99, p100 = the slowest), or undefined. */
export function percentileProblem(p: number): string | undefined {
  return Number.isInteger(p) && p >= 1 && p <= 100
    ? undefined
    : `p${p} is not a percentile: a percentile is a whole number from p1 to p100 (p100 is the slowest request)`;
}

/** Refuses a share outside 0..100 %, naming the value, the range and the step it came from (`example`). */
export function requirePercent(value: number, example: string): void {
  const problem = percentProblem(value);
  if (problem) throw new UserError(`cannot check ${problem}`, `give a percentage from 0 to 100, e.g. ${example}.`);
}

/** Refuses a percentile outside p1..p100, naming the value and the range. */
export function requirePercentile(p: number, example: string): void {
  const problem = percentileProblem(p);
  if (problem) throw new UserError(`cannot check ${problem}`, `give a percentile from p1 to p100, e.g. ${example}.`);
}
