// The product itself: every feature passes against the real cluster through `kubequake run` (the nightly job),
// writes all reports, and leaves no namespace behind.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { liveNamespacesOfRun, newRunId, readAttachments, runNode } from "./run-cucumber.ts";

test("every feature passes on the real cluster via `kubequake run`, with reports and no leaked namespace", async () => {
  const runId = newRunId("ft");
  // This is the iptables IPv4 cluster: a behaviour of nftables mode or of dual-stack runs on its own cluster
  // (kubequake matrix, the nightly job; a smoke of each in test/harness/proxy-modes.test.ts and dual-stack.test.ts).
  const run = await runNode(
    ["bin/kubequake.js", "run", "--no-cluster-up", "--tags", "not @needs:proxy-mode=nftables and not @needs:ipv6"],
    {
      KUBEQUAKE_RUN_ID: runId,
    },
  );
  const outcomes = readScenarioOutcomes("reports/cucumber-messages.ndjson");
  const failed = outcomes.filter((o) => o.status !== "PASSED");
  assert.deepEqual(
    failed.map((o) => `${o.uri}: ${o.name}: ${o.status} ${o.message.split("\n")[0]}`),
    [],
    `output tail:\n${run.output.slice(-3000)}`,
  );
  assert.ok(outcomes.length >= 16, `expected the 16+ scenarios of features/, saw ${outcomes.length}`);
  assert.equal(run.code, 0);
  assert.match(run.output, /scenarios \(\d+ passed\)/);
  const junit = readFileSync("reports/junit/cucumber.xml", "utf8");
  assert.match(
    junit,
    new RegExp(`<testsuite name="kubequake" [^>]*tests="${outcomes.length}" skipped="0" failures="0"`),
  );
  assert.ok(readFileSync("reports/cucumber.html", "utf8").length > 10_000, "Cucumber HTML report");
  assert.ok(
    readdirSync("reports/allure-results").some((f) => f.endsWith("-result.json")),
    "Allure results",
  );
  assert.ok(existsSync("reports/allure-report/index.html"), "Allure HTML report");
  const summary = JSON.parse(readFileSync("reports/allure-report/summary.json", "utf8")) as {
    stats?: { total?: number };
  };
  assert.equal(summary.stats?.total, outcomes.length, "the Allure report is this run's, with every scenario");
  assert.ok(readFileSync("reports/allure-history.jsonl", "utf8").trim().length > 0, "Allure history entry");
  assert.deepEqual(await liveNamespacesOfRun(runId), []);
});

test("the reports carry the measurements: per-pod distributions and endpoint timings", () => {
  const attachments = readAttachments("reports/cucumber-messages.ndjson");
  const distribution = attachments.find(
    (a) => a.fileName === "traffic-distribution.txt" && a.body.includes("300 requests"),
  );
  assert.ok(distribution, "the 300-request distribution is attached");
  assert.match(distribution.body, /web-[a-z0-9-]+\s+\d+\s+\d+\.\d%\s+█+/);
  const timing = attachments.find(
    (a) => a.fileName === "endpoints-web.txt" && /s after: web-[a-z0-9-]+ of web killed/.test(a.body),
  );
  assert.ok(timing, "the endpoint timing after a kill is attached");
  assert.match(timing.body, /EndpointSlice timeline \(relative to the action\):\n\s+[+-]\d+\.\d{3}s/);
});
