// Sharded CI: `kubequake run --shard i/n` runs deterministic slices that together are exactly the unsharded run,
// and `kubequake report merge` turns the shards' reports into one that lists every scenario once.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readDurations } from "../../tooling/sharding/durations.ts";
import { listScenarios } from "../../tooling/sharding/list.ts";
import { readScenarios } from "../../tooling/sharding/scenarios.ts";
import { liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const dir = "reports/harness/shard-merge";
interface AllureResult {
  status?: string;
  statusDetails?: { message?: string };
}
// A scenario skipped for a missing need, and a small real feature.
const selection = ["test/fixtures/needs", "features/routing/clusterip-routing.feature"];

test("two shards run every scenario exactly once, and the merged report lists each once", async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const all = (await listScenarios({ paths: selection })).map((s) => s.key).sort();
  assert.ok(all.length >= 5, `the fixture selection has ${all.length} scenarios`);
  const durations = join(dir, "durations.json");
  const ran: string[][] = [];
  for (const shard of [1, 2]) {
    const runId = newRunId(`sh${shard}`);
    const reports = join(dir, `shard-${shard}`);
    const run = await runNode(
      ["bin/kubequake.js", "run", ...selection, "--shard", `${shard}/2`, "--durations", durations, "--no-cluster-up"],
      { KUBEQUAKE_REPORTS: reports, KUBEQUAKE_RUN_ID: runId },
    );
    assert.equal(run.code, 0, `shard ${shard} output tail:\n${run.output.slice(-3000)}`);
    assert.match(run.output, new RegExp(`shard ${shard}/2: \\d+ of ${all.length} scenario\\(s\\)`));
    ran.push(readScenarios(join(reports, "cucumber-messages.ndjson")).map((s) => s.key));
    assert.deepEqual(await liveNamespacesOfRun(runId), []);
  }
  const [first = [], second = []] = ran;
  assert.deepEqual(
    first.filter((key) => second.includes(key)),
    [],
    "no scenario in both shards",
  );
  assert.deepEqual([...first, ...second].sort(), all, "the shards together are the unsharded run");
  assert.ok(!existsSync(durations), "the durations both shards read are left as they were");
  const recorded = [1, 2].flatMap((shard) => Object.keys(readDurations(join(dir, `shard-${shard}`, "durations.json"))));
  assert.deepEqual(recorded.sort(), all, "each shard records its own scenarios' durations");

  const merged = join(dir, "merged");
  const merge = await runNode(
    ["bin/kubequake.js", "report", "merge", join(dir, "shard-1"), join(dir, "shard-2"), "--out", merged],
    {},
  );
  assert.equal(merge.code, 0, merge.output);
  assert.deepEqual(
    readScenarios(join(merged, "cucumber-messages.ndjson"))
      .map((s) => s.key)
      .sort(),
    all,
    "the merged messages list every scenario once",
  );
  const junit = readFileSync(join(merged, "junit", "cucumber.xml"), "utf8");
  assert.equal(junit.match(/<testcase /g)?.length, all.length, "JUnit: one test case per scenario");
  assert.match(junit, new RegExp(`<testsuite name="kubequake" [^>]*tests="${all.length}" skipped="1" failures="0"`));
  assert.match(junit, /<skipped message="skipped: @needs:nodes&gt;=99: needs 99 Ready nodes/);
  const results = readdirSync(join(merged, "allure-results")).filter((f) => f.endsWith("-result.json"));
  assert.equal(results.length, all.length, "Allure: one result per scenario");
  assert.ok(existsSync(join(merged, "allure-results", "environment.properties")), "Allure environment");
  const skippedInAllure = results
    .map((f) => JSON.parse(readFileSync(join(merged, "allure-results", f), "utf8")) as AllureResult)
    .filter((r) => r.status === "skipped");
  assert.deepEqual(
    skippedInAllure.map((r) => r.statusDetails?.message),
    ['skipped: @needs:nodes>=99: needs 99 Ready nodes, the cluster (context "kind-kubequake") has 3'],
    "Allure shows why the scenario was skipped",
  );
  const summary = JSON.parse(readFileSync(join(merged, "allure-report", "summary.json"), "utf8")) as {
    stats?: { total?: number };
  };
  assert.equal(summary.stats?.total, all.length, "the merged Allure report has every scenario");
  assert.ok(readFileSync(join(merged, "allure-history.jsonl"), "utf8").trim(), "the merged run's history entry");
  assert.deepEqual(Object.keys(readDurations(join(merged, "durations.json"))).sort(), all, "merged durations");
  const html = readFileSync(join(merged, "cucumber.html"), "utf8");
  assert.ok(html.length > 10_000, "Cucumber HTML report");
});
