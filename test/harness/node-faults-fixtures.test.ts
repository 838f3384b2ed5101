// Node faults and the error budget that must fail, run against the real cluster (@serial: run under the cluster
// lock): a breach of the error budget undoes the fault at once and fails with the moment it was breached; a fault on
// the node of the scenario's own client is refused before it starts; a drain a PodDisruptionBudget blocks fails
// within its bounded wait, naming the budget. Each with its message checked, and no namespace left behind.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, readAttachments, runNode } from "./run-cucumber.ts";

const breach =
  "A fault that breaks the error budget is undone at once and fails the scenario with the moment of the breach";

const mustFail: Record<string, RegExp> = {
  [breach]:
    /^ErrorBudgetBreachedError: the steady traffic broke its error budget while "60% of packets to the pods of web dropped" was active, at \d{4}-\d\d-\d\dT[\d:.]+Z, (\d+\.\d) s after the fault began: \d+\.\d% of the steady traffic failed \(\d+ of \d+ requests, over the \d+\.\d s measured since the fault\), more than the 5% allowed; the faults were undone at once, and the scenario stops here/,
  "A node fault on the node of the scenario's own client is refused before it starts":
    /^UserError: "node kubequake-worker stopped" would break the scenario's own client: the steady traffic's client pod client-0-kubequakeworker runs on kubequake-worker, so its requests would fail for the fault's sake, not the Service's\n {2}what to do: place the client on a node the fault spares before it starts, e\.g\. Given steady traffic of 50 requests per second to "http:\/\/web" from a client pod on node "kubequake-control-plane"/,
  "A drain that a PodDisruptionBudget blocks fails within its bounded wait, naming the budget":
    /^UserError: the drain could not evict kq-[a-z0-9-]+\/web-[a-z0-9]+-[a-z0-9]+ within 60 s: the PodDisruptionBudget web \(minAvailable 2; 2 healthy, 0 disruption\(s\) allowed\) kept refusing \(HTTP 429: Cannot evict pod as it would violate the pod's disruption budget\.\)/,
};

test("node faults and error budgets that must fail do fail, each with the expected message, and leak no namespace", async () => {
  const runId = newRunId("nffx");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/node-faults-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness-node-faults",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const messages = "reports/harness-node-faults/fixtures/cucumber-messages.ndjson";
  const outcomes = readScenarioOutcomes(messages);
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  // Aborted early: the breach came seconds after the fault, not at the end of a 60-second wait.
  const breachMessage = outcomes.find((o) => o.name === breach)!.message;
  const afterFault = Number(mustFail[breach]!.exec(breachMessage)?.[1]);
  assert.ok(afterFault < 20, `breached ${afterFault} s after the fault`);
  // The timeline marks the breach, and the undo right after it.
  const summary = readAttachments(messages).find((a) => a.fileName === "traffic-summary.txt");
  const events = (
    JSON.parse(summary!.body.slice(summary!.body.indexOf("{"))) as { events: { label: string; atUnixMs: number }[] }
  ).events;
  const breached = events.find((e) => e.label.startsWith("error budget breached"));
  const undone = events.find((e) => e.label === "undone: 60% of packets to the pods of web dropped");
  assert.ok(breached && undone, `breach and undo on the timeline: ${events.map((e) => e.label).join("; ")}`);
  assert.ok(undone.atUnixMs - breached.atUnixMs < 5000, "the fault was undone within 5 s of the breach");
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
