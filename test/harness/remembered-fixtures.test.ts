// Remembered values used wrongly are caught twice: `kubequake lint` reports a `{remembered:x}` used before any step of
// its scenario remembers x (without a cluster), and a run that gets there anyway fails at that step, before anything
// is sent, naming what the scenario did remember.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const fixture = "test/fixtures/remembered-failing";

test("kubequake lint reports remembered values used before a step remembers them, with file:line and the names remembered", async () => {
  const run = await runNode(["bin/kubequake.js", "lint", fixture], {});
  assert.equal(run.code, 1, run.output);
  assert.match(
    run.output,
    /remembered-must-fail\.feature:7: \{remembered:web-ip\} is used before any step of the scenario "A remembered name used before the step that remembers it" remembers "web-ip"\n {4}expected: an earlier step \(Background included\) ending in: is remembered as "web-ip"\n {4}seen: {5}remembered by then: "api"/,
  );
  assert.match(
    run.output,
    /remembered-must-fail\.feature:11: \{remembered:apí\} is used before any step of the scenario "A remembered name that no step remembers" remembers "apí"\n[\s\S]*?seen: {5}remembered by then: "api"/,
  );
  assert.match(run.output, /2 error\(s\), 0 warning\(s\)/);
});

const mustFail: Record<string, RegExp> = {
  "A remembered name used before the step that remembers it":
    /remembered-must-fail\.feature:7: \{remembered:web-ip\}: nothing was remembered as "web-ip" in this scenario \(remembered: "api"\)\n {2}what to do: use one of the names above/,
  "A remembered name that no step remembers":
    /remembered-must-fail\.feature:11: \{remembered:apí\}: nothing was remembered as "apí" in this scenario \(remembered: "api"\)/,
};

test("a run that reaches an unknown remembered name fails there, naming the names remembered", async () => {
  const runId = newRunId("rfx");
  const run = await runNode([cucumberBin, "-p", "fixtures", fixture], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness/remembered",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness/remembered/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
