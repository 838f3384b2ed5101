// Ctrl-C in the middle of chaos: faults that reach beyond the scenario's namespace (a paused node, kube-proxy taken
// away) must be undone by the interrupted run itself, before it exits, and its namespace removed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { wholenessProblems } from "../../support/chaos/cluster-faults.ts";
import { outstandingFaults } from "../../support/cluster/fault-ledger.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { clusterKube, cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

test("SIGINT mid-fault undoes every node and component fault, and removes the namespace, before the run exits", async () => {
  const runId = newRunId("cint");
  let faultsSeen: string[] = [];
  const run = await runNode(
    [cucumberBin, "-p", "fixtures", "test/fixtures/interrupt/chaos.feature"],
    { KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_REPORTS: "reports/harness/chaos-interrupted" },
    (child) => {
      void eventually(
        "the node and kube-proxy faults are both applied",
        async () => {
          faultsSeen = outstandingFaults()
            .filter((f) => f.ownerPid === child.pid && f.applied)
            .map((f) => f.description);
          return { satisfied: faultsSeen.length === 2, value: faultsSeen };
        },
        { timeoutMs: 120_000, intervalMs: 200 },
      ).then(() => child.kill("SIGINT"));
    },
  );
  assert.equal(faultsSeen.length, 2, `both faults were applied before the interrupt: ${faultsSeen.join("; ")}`);
  assert.equal(run.code, 130, `exit code after SIGINT; output:\n${run.output.slice(-2000)}`);
  assert.match(run.output, /SIGINT: undid 2 fault\(s\)/);
  assert.deepEqual(
    outstandingFaults().map((f) => f.description),
    [],
    "nothing is left in the fault ledger",
  );
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "the namespace is deleted (or terminating)");
  const kube = await clusterKube();
  await eventually(
    "the cluster is whole again: every node Ready, kube-proxy on every node, CoreDNS at full strength",
    async () => {
      const problems = await wholenessProblems(kube);
      return { satisfied: problems.length === 0, value: problems };
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
});
