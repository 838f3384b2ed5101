import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import { podCountProblem, requirePodCount, requireScheduleRounds } from "../../support/services/pod-counts.ts";

test("acting on 0 pods (or fewer) is refused: the checks after it would have nothing to judge", () => {
  for (const count of [0, -1, 1.5]) {
    assert.throws(
      () => requirePodCount(count, ["web-a", "web-b"], "kill", "web"),
      (error: Error) =>
        error instanceof UserError &&
        error.message.startsWith(`cannot kill ${count} pod(s) of "web": the count must be at least 1`) &&
        error.message.includes('what to do: give 1 or more, e.g. When 1 pod of "web" is killed.'),
    );
  }
});

test("acting on more pods than are ready is refused, naming both counts and the ready pods", () => {
  assert.equal(
    podCountProblem(3, ["web-a", "web-b"], "SIGKILL", "web")?.message,
    'cannot SIGKILL 3 pod(s) of "web": it has only 2 ready pod(s) (web-a, web-b)',
  );
  assert.equal(
    podCountProblem(1, [], "make unready", "web")?.message,
    'cannot make unready 1 pod(s) of "web": it has only 0 ready pod(s) (none)',
  );
  assert.match(podCountProblem(3, ["web-a"], "kill", "web")?.fix ?? "", /^kill at most 1 pod\(s\), or wait until/);
  assert.equal(podCountProblem(2, ["web-a", "web-b"], "kill", "web"), undefined);
  requirePodCount(1, ["web-a"], "kill", "web");
});

test("a schedule of 0 rounds or a negative period is refused before the first round", () => {
  assert.throws(() => requireScheduleRounds(0, 5), /cannot act 0 time\(s\): a schedule runs at least 1 round/);
  assert.throws(() => requireScheduleRounds(2, -1), /cannot act every -1 second\(s\)/);
  requireScheduleRounds(1, 0);
});
