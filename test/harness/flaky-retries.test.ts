// Retries only by tag: the @flaky scenario fails once and passes on its retry (a flaky pass), the untagged one is
// not retried and fails the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flakyOutcomes, readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, newRunId, runNode } from "./run-cucumber.ts";

test("only a scenario tagged @flaky is retried, and its pass on the retry is reported as flaky", async () => {
  const run = await runNode([cucumberBin, "-p", "chaosFixtures", "test/fixtures/flaky"], {
    KUBEQUAKE_RUN_ID: newRunId("flk"),
    KUBEQUAKE_REPORTS: "reports/harness-flaky",
  });
  assert.equal(run.code, 1, `the untagged scenario's failure fails the run; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness-flaky/chaos-fixtures/cucumber-messages.ndjson");
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  assert.equal(outcomes.length, 2, "one outcome per scenario: a retried attempt is not an outcome");
  const flaky = byName.get("A flaky scenario passes on its second attempt");
  assert.equal(flaky?.status, "PASSED");
  assert.equal(flaky?.attempt, 1);
  const untagged = byName.get("An untagged scenario is not retried");
  assert.equal(untagged?.status, "FAILED");
  assert.equal(untagged?.attempt, 0);
  assert.match(untagged?.message ?? "", /the first attempt of "An untagged scenario is not retried" fails on purpose/);
  assert.deepEqual(
    flakyOutcomes(outcomes).map((o) => o.name),
    ["A flaky scenario passes on its second attempt"],
  );
});
