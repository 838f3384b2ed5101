import assert from "node:assert/strict";
import { test } from "node:test";
import {
  differingResults,
  junitWithVariant,
  type ScenarioFigures,
  sideBySide,
  sideBySideMarkdown,
  variantOnlyScenarios,
  withVariantParameter,
} from "../../tooling/reports/matrix.ts";

const kill = { uri: "features/chaos/a.feature", name: "a pod killed" };
const plain = { uri: "features/routing/b.feature", name: "routes" };
const figures = (over: Partial<ScenarioFigures>): ScenarioFigures => ({ ...kill, status: "PASSED", ...over });

test("side by side: one row per scenario, its figures under each variant; differing results, then measured ones, first", () => {
  const rows = sideBySide([
    {
      variant: "iptables",
      figures: [
        { ...plain, status: "PASSED" },
        { ...plain, name: "resolves", status: "PASSED" },
        figures({ requests: 675, failed: 3, longestWindowMs: 80, p99Ms: 12.5 }),
      ],
    },
    {
      variant: "nftables",
      figures: [
        { ...plain, name: "resolves", status: "PASSED" },
        figures({ requests: 660, failed: 0, longestWindowMs: null, p99Ms: 9.25 }),
      ],
    },
  ]);
  assert.deepEqual(
    rows.map((r) => r.name),
    ["routes", "a pod killed", "resolves"],
  );
  assert.equal(
    sideBySideMarkdown(["iptables", "nftables"], rows),
    [
      "| scenario | iptables: result · failed/requests · longest failure window · p99 | nftables: result · failed/requests · longest failure window · p99 |",
      "| --- | --- | --- |",
      "| features/routing/b.feature: routes | passed | not run |",
      "| features/chaos/a.feature: a pod killed | passed · 3/675 · 0.08 s · 12.5 ms | passed · 0/660 · none · 9.3 ms |",
      "| features/routing/b.feature: resolves | passed | passed |",
      "",
    ].join("\n"),
  );
  // A scenario run on one variant only, or with another result, is a difference to look at.
  assert.deepEqual(
    differingResults(rows).map((r) => r.name),
    ["routes"],
  );
});

test("a scenario skipped on one variant by its tags, with one result on the others, is variant-only, not a difference", () => {
  const timesOut = { ...plain, name: "a new Service's requests time out" };
  const rows = sideBySide([
    {
      variant: "iptables",
      figures: [
        { ...timesOut, status: "SKIPPED" },
        { ...plain, status: "SKIPPED" },
      ],
    },
    {
      variant: "nftables",
      figures: [
        { ...timesOut, status: "PASSED" },
        { ...plain, status: "FAILED" },
      ],
    },
    {
      variant: "dual",
      figures: [
        { ...timesOut, status: "PASSED" },
        { ...plain, status: "PASSED" },
      ],
    },
  ]);
  assert.deepEqual(
    variantOnlyScenarios(rows).map((r) => r.name),
    ["a new Service's requests time out"],
  );
  // Failed on one variant and passed on another stays a difference, skipped or not elsewhere.
  assert.deepEqual(
    differingResults(rows).map((r) => r.name),
    ["routes"],
  );
});

test("an Allure result gets the variant as a parameter and in its ids, so two variants are not one test retried", () => {
  const result = {
    name: "a pod killed",
    historyId: "2fe4b001:d41d8cd9",
    testCaseId: "2fe4b001",
    parameters: [],
  };
  const ipt = withVariantParameter(result, "proxy mode", "iptables");
  const nft = withVariantParameter(result, "proxy mode", "nftables");
  assert.deepEqual(nft.parameters, [{ name: "proxy mode", value: "nftables" }]);
  assert.equal(nft.name, "a pod killed [nftables]");
  assert.match(String(nft.historyId), /^2fe4b001:[0-9a-f]{32}$/);
  assert.notEqual(ipt.historyId, nft.historyId);
  assert.notEqual(ipt.testCaseId, nft.testCaseId);
  // Stable: the same variant keeps its history from night to night.
  assert.equal(withVariantParameter(result, "proxy mode", "nftables").historyId, nft.historyId);
});

test("JUnit test cases get the variant in their names", () => {
  const xml = `<?xml version="1.0"?><testsuite name="kubequake" tests="2"><testcase classname="routing" name="routes" time="1.0"/><testcase classname="chaos" name="a pod killed" time="2.0"><failure message="boom"/></testcase></testsuite>`;
  const cases = junitWithVariant(xml, "nftables") as Record<string, unknown>[];
  assert.deepEqual(
    cases.map((c) => c["@_name"]),
    ["routes [nftables]", "a pod killed [nftables]"],
  );
  assert.ok(cases[1]!.failure !== undefined);
});
