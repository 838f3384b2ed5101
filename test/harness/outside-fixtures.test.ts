// The outside-world checks catch what they are for: fixture scenarios that must fail (a Local expectation under the
// Cluster policy, a preserved address that was rewritten, a CNAME to the wrong outside service, the host asked to
// send off the kind network), each with its message checked; and no outside container outlives the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCommand } from "../../support/process/command.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, RegExp> = {
  "Under externalTrafficPolicy Cluster every node answers, so a Local expectation fails":
    /timed out after 4\.\d s waiting until only the nodes running a ready pod of web answer 2 requests from an outside client to the NodePort of "web" on every node; last observed: node kubequake-[a-z0-9-]+ runs no such pod of web and should answer nothing/,
  "Under externalTrafficPolicy Cluster the outside client's address is rewritten":
    /expected every answer to have seen the sender's own address, but \d+ of \d+ answers saw [0-9., ]+ \(outside client "outside" \(172\.[0-9.]+\)/,
  "An ExternalName Service answers the CNAME it points at, not another":
    /timed out after 4\.\d s waiting until billing resolves to a CNAME for ip-[0-9-]+\.outside\.test \(the outside service billing-b\); last observed: \["ip-[0-9-]+\.outside\.test"\]/,
  "The host sends nowhere outside the kind network":
    /the host may only send to addresses on the kind network \([0-9./,]+\), not to 10\.255\.255\.1\n {2}what to do: send to a NodePort or load-balancer address/,
};

test("outside-world checks that must fail do fail, each with the expected message, and leave no container", async () => {
  const runId = newRunId("ofx");
  const reports = "reports/harness/outside";
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/outside-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: reports,
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes(`${reports}/fixtures/cucumber-messages.ndjson`);
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
  const containers = await runCommand("docker", [
    "ps",
    "-a",
    "--filter",
    "label=kubequake.dev/outside-owner-pid",
    "--format",
    '{{.Label "kubequake.dev/namespace"}}',
  ]);
  const leaked = containers.stdout.split("\n").filter((namespace) => namespace.includes(runId));
  assert.deepEqual(leaked, [], "every outside container of the run is removed");
});

test("SIGINT while outside containers run removes them, and the namespace, before the run exits", async () => {
  const runId = newRunId("oint");
  let seen: string[] = [];
  const ownedBy = async (pid: number | undefined) =>
    (
      await runCommand("docker", [
        "ps",
        "-a",
        "--filter",
        `label=kubequake.dev/outside-owner-pid=${pid}`,
        "--format",
        "{{.Names}}",
      ])
    ).stdout
      .split("\n")
      .filter(Boolean);
  let childPid: number | undefined;
  const run = await runNode(
    [cucumberBin, "-p", "fixtures", "test/fixtures/outside-interrupt"],
    { KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_REPORTS: "reports/harness/outside-interrupted" },
    (child) => {
      childPid = child.pid;
      void eventually(
        "the outside service and the outside client both run",
        async () => {
          seen = await ownedBy(child.pid);
          return { satisfied: seen.length === 2, value: seen };
        },
        { timeoutMs: 120_000, intervalMs: 200 },
      ).then(() => child.kill("SIGINT"));
    },
  );
  assert.equal(seen.length, 2, `both outside containers ran before the interrupt: ${seen.join(", ")}`);
  assert.equal(run.code, 130, `exit code after SIGINT; output:\n${run.output.slice(-2000)}`);
  assert.deepEqual(await ownedBy(childPid), [], "no outside container of the interrupted run is left");
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "the namespace is deleted (or terminating)");
});
