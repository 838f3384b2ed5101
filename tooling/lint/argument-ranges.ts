// Step arguments whose value would make a check judge nothing: a share above 100%, a p0 or p150, acting on 0 pods
// or 0 times, "at least 0" answers. Which rule applies is read from the definition's own words around the parameter
// ("{float}%", "p{int}", "{int} pod(s) of", "{int} time(s)"), so a new step phrased the same way is covered too.
import { rateProblem } from "../../support/chaos/load.ts";
import { requestCountProblem } from "../../support/traffic/client.ts";
import { percentileProblem, percentProblem } from "../../support/traffic/percentages.ts";

/** The literal text of an expression before and after each of its parameters, in order. */
export function parameterContexts(expression: string): { before: string; after: string }[] {
  const literals = expression.split(/(?<!\\)\{[^}]*\}/);
  return literals.slice(0, -1).map((before, index) => ({ before, after: literals[index + 1]! }));
}

/**
 * Why the argument `value` at a parameter with these surroundings cannot be meant, with the accepted range; undefined
 * when it can (or no rule applies).
 */
export function argumentRangeProblem(
  value: number,
  context: { before: string; after: string },
  clients = 1,
): { message: string; expected: string } | undefined {
  const { before, after } = context;
  // Steady traffic: the rate a number of client pods can hold (support/chaos/load.ts decides, at run time too).
  if (/\bsteady traffic of $/.test(before) && after.startsWith(" requests per second")) {
    const problem = rateProblem(value, clients);
    return problem ? { message: problem.problem, expected: problem.fix } : undefined;
  }
  // A number of requests to send (support/traffic/client.ts decides, at run time too); "at least N" is a check.
  if (/^ requests? to\b|^ request\(s\) (to|from)\b/.test(after) && !/\bat least $/.test(before)) {
    const problem = requestCountProblem(value);
    return problem ? { message: problem.problem, expected: problem.fix } : undefined;
  }
  if (after.startsWith("%")) {
    const problem = percentProblem(value);
    return problem ? { message: problem, expected: "a percentage from 0 to 100" } : undefined;
  }
  if (/(^|[^A-Za-z])p$/.test(before)) {
    const problem = percentileProblem(value);
    return problem ? { message: problem, expected: "a percentile from p1 to p100" } : undefined;
  }
  if (before === "" && after.startsWith(" pod(s) of") && value < 1) {
    // Whether there are that many ready pods is known only at run time (the step refuses it then).
    return {
      message: `${value} pods: the step would act on no pod, and the checks after it would have nothing to judge`,
      expected: "1 pod or more",
    };
  }
  if (after.startsWith(" time(s)") && value < 1) {
    return { message: `${value} times: the schedule would do nothing`, expected: "1 time or more" };
  }
  if (/\bat least $/.test(before) && /^ (request|different pod)/.test(after) && value < 1) {
    return {
      message: `at least ${value}: a pod (or traffic) that answered nothing would pass`,
      expected: "at least 1",
    };
  }
  return undefined;
}
