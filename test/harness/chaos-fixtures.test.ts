// The chaos checks catch what they are for: fixture scenarios that must fail (an error budget exceeded, an answer
// from a pod that was recorded as killed, answers from a killed pod that drains after SIGTERM, kills of pods the
// traffic never reached, a steady state the undo does not restore), each with its message checked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, readAttachments, runNode } from "./run-cucumber.ts";

// Failure kinds are listed in the order first seen: a connection reset (once, among timeouts) can come first.
const mustFail: Record<string, RegExp> = {
  "An error budget that the traffic exceeded":
    /expected at most 1% of the steady traffic to fail, but \d+\.\d\d% failed \(\d+ of \d+\)\n {2}steady traffic to http:\/\/web: \d+ requests, \d+ failed \((reset|refused|timeout)=\d+/,
  "A request answered by a pod after it was killed":
    /expected no request to be answered by a pod after it was killed, but \d+ (was|were) \(first: request \d+ of client-0 started \d+\.\d{3} s after web-[a-z0-9-]+ was gone, and web-[a-z0-9-]+ answered it\)/,
  "A pod that keeps serving after it was told to stop":
    /expected no request to be answered by a pod after it was killed, but \d+ (was|were), by the pods' own account \(first: request \d+ of client-0, answered by web-[a-z0-9-]+ on a connection it accepted \d+\.\d{3} s after it was told to stop \(SIGTERM\); the latest such answer came \d+\.\d{3} s after\)/,
  "Pods killed that never served the traffic":
    /^SteadyTrafficError: expected every killed pod to have answered some of the steady traffic before it was killed \(so the kills were in its path\), but idle-[a-z0-9-]+, idle-[a-z0-9-]+ answered none of it \(the traffic was answered by web-[a-z0-9-]+, web-[a-z0-9-]+\): kill pods of the Service the traffic goes to/,
  "A SIGKILLed pod that is deleted instead of restarted":
    /timed out after 5\.\d s waiting until the SIGKILLed pod\(s\) web-[a-z0-9-]+ of web run again under the same name, their container restarted by the kubelet, and ready; last observed: web-[a-z0-9-]+: (terminating|gone)/,
  "A failure window limit with nothing that failed":
    /^SteadyTrafficError: expected the longest failure window of the steady traffic to last at most 1 s, but no request failed \(all \d+ succeeded\), so there was no failure window to measure: the fault did not make the traffic fail\. If no failure is a correct outcome here, write "Then the steady traffic's longest failure window, if any, was at most 1 second" instead/,
  "A latency floor that an undisturbed Service does not reach":
    /^SteadyTrafficError: expected the steady traffic's p50 latency to be at least 1000 ms, but it was \d+\.\d ms\n {2}steady traffic to http:\/\/web: \d+ requests, 0 failed/,
  "A steady state that the undo does not restore":
    /timed out after 5\.\d s waiting until the steady state holds again after the faults were undone: 30 requests to http:\/\/web all succeed, answered by at least 3 different pod\(s\); last observed: web-[a-z0-9-]+=30/,
};

test("chaos checks that must fail do fail, each with the expected message, and attach the traffic timeline", async () => {
  const runId = newRunId("cfx");
  const run = await runNode([cucumberBin, "-p", "chaosFixtures", "test/fixtures/chaos-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const messages = "reports/harness/chaos-fixtures/cucumber-messages.ndjson";
  const outcomes = readScenarioOutcomes(messages);
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  const charts = readFileSync(messages, "utf8")
    .split("\n")
    .filter((line) => line.includes('"traffic-timeline.png"'))
    .map((line) => JSON.parse(line).attachment as { mediaType: string; body: string });
  assert.equal(charts.length, 6, "a timeline chart for each scenario with steady traffic");
  for (const chart of charts) {
    assert.equal(chart.mediaType, "image/png");
    assert.deepEqual([...Buffer.from(chart.body, "base64").subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
  }
  const svgs = readAttachments(messages).filter((a) => a.fileName === "traffic-timeline.svg");
  assert.equal(svgs.length, 6, "the chart's SVG beside each PNG");
  for (const svg of svgs) {
    const body = svg.body.startsWith("<svg") ? svg.body : Buffer.from(svg.body, "base64").toString("utf8");
    assert.match(body, /^<svg [^>]*>[\s\S]*schedule lag p99/);
  }
  // The "if any" window limit passed on traffic where nothing failed, and the report says so.
  const windows = readAttachments(messages).filter((a) => a.fileName === "failure-window.txt");
  assert.equal(windows.length, 1, "one failure-window verdict attached");
  assert.match(
    windows[0]!.body,
    /^none failed: all \d+ requests of the steady traffic to http:\/\/web succeeded, so there was no failure window \(at most 1 s allowed\)$/,
  );
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
