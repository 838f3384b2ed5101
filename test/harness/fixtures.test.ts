// The harness tests itself: fixture scenarios that must fail are run against the real cluster, and each failure
// message is checked; malformed features and interrupted runs must be reported clearly and leak nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../support/reports/messages.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, { status: string; message: RegExp }> = {
  "A Service with the wrong selector never gets endpoints": {
    status: "FAILED",
    message: /timed out after 5\.0 s waiting until Service web has 2 ready endpoint\(s\); last observed: no endpoints/,
  },
  "Requests to a Service without endpoints do not succeed": {
    status: "FAILED",
    message: /expected every request to succeed, but 3 of 3 failed \(first: refused .*connection refused\)/,
  },
  "A Service without session affinity is not sticky": {
    status: "FAILED",
    message:
      /expected every request to be answered by the same pod, but [23] pods answered \(30 requests from client-0 to http:\/\/loose: loose-/,
  },
  "A wrong DNS expectation is reported with what was resolved": {
    status: "FAILED",
    message:
      /waiting until db resolves to the IPs of the 3 ready pods of db; last observed: \{"resolved":"\[10\.\d+\.\d+\.\d+, 10\.\d+\.\d+\.\d+\]","readyPods":\[/,
  },
  "A manifest without a name is rejected with its location": {
    status: "FAILED",
    message:
      /test\/fixtures\/failing\/must-fail\.feature:27: Deployment is missing metadata\.name; saw keys apiVersion, kind, metadata\n {2}what to do: /,
  },
  "A step that does not exist is reported as undefined": { status: "UNDEFINED", message: /^$/ },
};

test("fixture scenarios that must fail do fail, each with the expected message, and leak no namespace", async () => {
  const runId = newRunId("fx");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    const expected = mustFail[outcome.name]!;
    assert.equal(outcome.status, expected.status, `${outcome.name}: status`);
    assert.match(outcome.message, expected.message, `${outcome.name}: message`);
  }
  const undefinedStep = outcomes.find((o) => o.status === "UNDEFINED")!;
  assert.deepEqual(undefinedStep.undefinedSteps, [{ text: "the moon turns blue", line: 35 }]);
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});

test("failure diagnostics (Service, EndpointSlices, pods, events, logs, probe transcript) are attached", async () => {
  const messages = (await import("node:fs")).readFileSync("reports/harness/fixtures/cucumber-messages.ndjson", "utf8");
  const attachments = messages
    .split("\n")
    .filter((line) => line.includes('"attachment"'))
    .map((line) => JSON.parse(line).attachment as { fileName?: string; body: string });
  const diagnostics = attachments.filter((a) => a.fileName === "diagnostics.txt");
  assert.ok(diagnostics.length >= 4, `one diagnostics attachment per failed scenario, saw ${diagnostics.length}`);
  const loose = diagnostics.find((a) => a.body.includes("loose:"))?.body ?? "";
  for (const section of ["== Services", "== EndpointSlices", "== Pods", "== Events", "== Logs loose-"]) {
    assert.ok(loose.includes(section), `diagnostics contain ${section}`);
  }
  assert.match(loose, /sessionAffinity None/);
  assert.ok(
    attachments.some(
      (a) => a.fileName === "probe-transcript.txt" && /client-0 → http:\/\/loose: 30 requests/.test(a.body),
    ),
  );
});

test("a malformed feature file is reported with its file and line, and nothing runs", async () => {
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/malformed"], {
    KUBEQUAKE_RUN_ID: newRunId("mf"),
  });
  assert.notEqual(run.code, 0);
  assert.match(run.output, /test\/fixtures\/malformed\/broken\.feature/);
  assert.match(run.output, /\(5:\d+\)|:5\b/);
  assert.match(run.output, /expected: .*got 'this line is neither a step nor a keyword'/);
});

test("Ctrl-C (SIGINT) during a scenario removes its namespace before the run exits", async () => {
  const runId = newRunId("int");
  let namespaceSeen: string[] = [];
  const run = await runNode(
    [cucumberBin, "-p", "fixtures", "test/fixtures/interrupt"],
    { KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_REPORTS: "reports/harness/interrupted" },
    (child) => {
      void eventually(
        "the interrupted scenario's namespace exists",
        async () => {
          namespaceSeen = await liveNamespacesOfRun(runId);
          return { satisfied: namespaceSeen.length === 1, value: namespaceSeen };
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      ).then(() => child.kill("SIGINT"));
    },
  );
  assert.equal(namespaceSeen.length, 1, "the scenario had created its namespace");
  assert.equal(run.code, 130, `exit code after SIGINT; output:\n${run.output.slice(-1500)}`);
  assert.match(run.output, /SIGINT: removing 1 scenario namespace/);
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "the namespace is deleted (or terminating)");
});

test("SIGTERM to `kubequake run` (2 worker threads) removes every namespace of the run before it exits", async () => {
  const runId = newRunId("term");
  const run = await runNode(
    ["bin/kubequake.js", "run", "test/fixtures/interrupt/long.feature", "--no-cluster-up", "--parallel", "2"],
    { KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_REPORTS: "reports/harness/interrupted" },
    (child) => {
      void eventually(
        "the scenario's namespace exists",
        async () => {
          const live = await liveNamespacesOfRun(runId);
          return { satisfied: live.length === 1, value: live };
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      ).then(() => child.kill("SIGTERM"));
    },
  );
  assert.equal(run.code, 130, `exit code after SIGTERM; output:\n${run.output.slice(-1500)}`);
  assert.match(run.output, /SIGINT: removing 1 scenario namespace/);
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "the namespace is deleted (or terminating)");
});
