import { UserError } from "../errors/user-error.ts";

// How many pods an action takes (kill, SIGKILL, make unready), checked before anything is done. Acting on 0 pods
// does nothing, and the check after it ("no longer lists the killed pods as ready") then passes at once with nothing
// to judge; asking for more pods than are ready would act on some and then fail halfway.

/** Why `count` pods cannot be taken by `action` (e.g. "kill") when `ready` are the backend's ready pods; or undefined. */
export function podCountProblem(
  count: number,
  ready: readonly string[],
  action: string,
  backend: string,
): { message: string; fix: string } | undefined {
  if (!Number.isInteger(count) || count < 1) {
    return {
      message: `cannot ${action} ${count} pod(s) of "${backend}": the count must be at least 1 (with ${count} nothing would happen, and the checks after it would have nothing to judge)`,
      fix: `give 1 or more, e.g. When 1 pod of "${backend}" is killed.`,
    };
  }
  if (count > ready.length) {
    return {
      message: `cannot ${action} ${count} pod(s) of "${backend}": it has only ${ready.length} ready pod(s) (${ready.join(", ") || "none"})`,
      fix: `${action} at most ${ready.length} pod(s), or wait until more pods of "${backend}" are ready (e.g. Then within 30 seconds the Service "${backend}" has ${count} ready endpoints).`,
    };
  }
  return undefined;
}

/** Refuses, with a {@link UserError}, a count of pods below 1 or above the ready pods there are. */
export function requirePodCount(count: number, ready: readonly string[], action: string, backend: string): void {
  const problem = podCountProblem(count, ready, action, backend);
  if (problem) throw new UserError(problem.message, problem.fix);
}

/** Refuses a schedule of fewer than 1 round (nothing would be done) or a negative period, before the first round. */
export function requireScheduleRounds(times: number, periodSeconds: number): void {
  if (!Number.isInteger(times) || times < 1) {
    throw new UserError(
      `cannot act ${times} time(s): a schedule runs at least 1 round (with ${times} nothing would happen)`,
      'give 1 or more, e.g. When 1 pod of "web" is killed every 5 seconds, 4 times.',
    );
  }
  if (!Number.isFinite(periodSeconds) || periodSeconds < 0) {
    throw new UserError(
      `cannot act every ${periodSeconds} second(s): the period is 0 seconds or more`,
      'give the seconds between rounds, e.g. When 1 pod of "web" is killed every 5 seconds, 4 times.',
    );
  }
}
