// The harness tests itself: fixture scenarios that must fail are run against the real cluster, and each failure
// message is checked; malformed features and interrupted runs must be reported clearly and leak nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "../../support/wait/eventually.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, readAttachments, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, { status: string; message: RegExp }> = {
  "A Service with the wrong selector never gets endpoints": {
    status: "FAILED",
    message: /timed out after 5\.0 s waiting until Service web has 2 ready endpoints; last observed: no endpoints/,
  },
  "Requests to a Service without endpoints do not succeed": {
    status: "FAILED",
    message: /expected every request to succeed, but 3 of 3 failed \(first: refused .*connection refused\)/,
  },
  "A Service without session affinity is not sticky": {
    status: "FAILED",
    message:
      /expected every request to be answered by the same pod, but [23] pods answered the requests started after the first answer \(loose-[^)]*\) \(30 requests from client-0 to http:\/\/loose: loose-/,
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
  // Requests 0–2 (or 0–3: the 4th is due exactly when the limit runs out) are sent; the rest must not vanish.
  "Requests cut off by the time limit fail the check and are counted as not sent": {
    status: "FAILED",
    message:
      /expected every request to be refused \(connection refused, not a timeout\), but only ([34]) of 10 requests were sent: ([67]) were not sent because the prober's time budget of 3\.0 s ran out first \(send fewer requests or allow more time\) \(\1 of 10 requests from client-0 to http:\/\/nobody: refused=\1\)/,
  },
  "The unready pods cannot be checked when no pod was made unready": {
    status: "FAILED",
    message:
      /^UserError: this step is about the unready pods of web, but no pod of web was made unready earlier in this scenario \(no pod was made unready at all\)\n {2}what to do: make pods unready first, with a step like: When 1 pod of "web" turns unready\.$/,
  },
  "A Service without affinity fails the stickiness that must hold before the affinity timeout": {
    status: "FAILED",
    message:
      /^TrafficExpectationError: expected every request to be answered by the same pod, but [23] pods answered the requests started after the first answer \(unpinned-[^)]*\) \(20 requests from client-0 to http:\/\/unpinned: unpinned-/,
  },
  "Sending 0 requests is a user error raised before anything is sent": {
    status: "FAILED",
    message:
      /^UserError: cannot send 0 request\(s\) to http:\/\/nobody: 0 requests: a client sends a whole number of requests between 1 and 100000, so nothing was sent\n {2}what to do: ask for at least 1 request, e\.g\. 100\.$/,
  },
  "A misspelt Service is answered with the Services the scenario made": {
    status: "FAILED",
    message:
      /^UserError: the Service "wbe" was not made by this scenario, so kubequake does not watch its endpoints \(Services of this scenario: web\)\n {2}what to do: use one of the names above/,
  },
  // kube-proxy may route to the unready pod for a moment after its endpoint left (seen: web-…=3), or refuse.
  "Every ready pod's answers cannot be judged when the backend has no ready pod": {
    status: "FAILED",
    message:
      /^TrafficExpectationError: expected every ready pod of web to answer at least 1 requests, but web had no ready pod when the answers were judged, so there was nothing to judge \(wait for its pods first, e\.g\. Then within 30 seconds the Service "web" has 2 ready endpoints\) \(3 requests from client-0 to http:\/\/web: [^)]*\)\n/,
  },
  "Killing 0 pods is a user error raised before anything is done": {
    status: "FAILED",
    message:
      /^UserError: cannot kill 0 pod\(s\) of "web": the count must be at least 1 \(with 0 nothing would happen, and the checks after it would have nothing to judge\)\n {2}what to do: give 1 or more, e\.g\. When 1 pod of "web" is killed\.$/,
  },
  "Killing more pods than are ready is refused, naming both counts": {
    status: "FAILED",
    message:
      /^UserError: cannot kill 2 pod\(s\) of "web": it has only 1 ready pod\(s\) \(web-[a-z0-9]+-[a-z0-9]+\)\n {2}what to do: kill at most 1 pod\(s\), or wait until more pods of "web" are ready/,
  },
  "Per-client stickiness cannot be judged when no client sent a request": {
    status: "FAILED",
    message:
      /^UserError: expected each client to be answered by a single pod, but no client sent a request in this scenario yet, so there was nothing to judge\n {2}what to do: send traffic first/,
  },
  "A misspelt backend is answered with the backends there are, before anything is done": {
    status: "FAILED",
    message:
      /^UserError: there is no backend "wbe" in this scenario: it made no Deployment or StatefulSet of that name and no pod labelled app=wbe \(backends here: web\)\n {2}what to do: use one of the names above, or deploy it first/,
  },
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
  const notSent = outcomes.find((o) => o.name.startsWith("Requests cut off"))!;
  const [, sent, unsent] = /only (\d+) of 10 requests were sent: (\d+) were not sent/.exec(notSent.message) ?? [];
  assert.equal(Number(sent) + Number(unsent), 10, "sent + not sent = requested");
  assert.doesNotMatch(
    outcomes.find((o) => o.name.startsWith("Sending 0 requests"))!.message,
    /answered 400/,
    "the user error comes before the prober is asked",
  );
});

test("failure diagnostics (Service, EndpointSlices, pods, events, logs, probe transcript) are attached", async () => {
  const attachments = readAttachments("reports/harness/fixtures/cucumber-messages.ndjson");
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

test("`kubequake run --parallel 2`: each row of a 4-row Scenario Outline gets its own namespace, and all pass", async () => {
  const runId = newRunId("ol");
  const seen = new Set<string>();
  let exited = false;
  // Namespaces live for the length of a scenario (seconds); collecting them while the run goes shows every name used.
  const watching = eventually(
    "the Scenario Outline run has exited",
    async () => {
      for (const name of await liveNamespacesOfRun(runId)) seen.add(name);
      return { satisfied: exited, value: [...seen] };
    },
    { timeoutMs: 300_000, intervalMs: 200 },
  );
  const run = await runNode(
    [
      "bin/kubequake.js",
      "run",
      "test/fixtures/passing/outline-namespaces.feature",
      "--no-cluster-up",
      "--parallel",
      "2",
    ],
    { KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_REPORTS: "reports/harness/outline" },
  );
  exited = true;
  await watching;
  assert.equal(run.code, 0, `every row passes; output:\n${run.output.slice(-3000)}`);
  const outcomes = readScenarioOutcomes("reports/harness/outline/cucumber-messages.ndjson");
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["PASSED", "PASSED", "PASSED", "PASSED"],
  );
  const names = [...seen];
  assert.equal(names.length, 4, `one namespace per row, saw ${names.join(", ")}`);
  for (const name of names) {
    assert.match(name, new RegExp(`^kq-${runId}-w[01]-each-row-gets-its-own-namespace-[a-z0-9]{6}$`));
    assert.ok(name.length <= 63);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every row's namespace is deleted after the run");
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
