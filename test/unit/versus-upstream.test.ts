import assert from "node:assert/strict";
import { test } from "node:test";
import { distinctScenarioSeconds, formatSideBySide, sideBySide } from "../../tooling/coverage/versus-upstream.ts";

const checks = [
  {
    id: "basic-endpoint",
    section: "Endpoints",
    test: "should serve a basic endpoint from pods",
    location: "x.go:1",
    status: "full" as const,
    note: "n",
  },
  {
    id: "multiport-endpoints",
    section: "Endpoints",
    test: "should serve multiport endpoints from pods",
    location: "x.go:1",
    status: "full" as const,
    note: "n",
  },
  {
    id: "not-run",
    section: "Endpoints",
    test: "should do what e2e.test did not run",
    location: "x.go:1",
    status: "full" as const,
    note: "n",
  },
];
const upstream = [
  {
    name: "[sig-network] Services should serve a basic endpoint from pods [Conformance]",
    status: "passed",
    seconds: 8,
  },
  {
    name: "[sig-network] Services should serve multiport endpoints from pods [Conformance]",
    status: "failed",
    seconds: 3,
  },
];
const scenarios = [
  { tags: ["@upstream:basic-endpoint", "@upstream:multiport-endpoints"], seconds: 3 },
  { tags: ["@upstream:basic-endpoint"], seconds: 1 },
  { tags: ["@upstream:not-run"], seconds: 5 },
];

test("only tests both suites ran (and e2e.test passed) are compared, each with all its scenarios", () => {
  const rows = sideBySide(checks, upstream, scenarios);
  assert.deepEqual(rows, [
    {
      id: "basic-endpoint",
      test: "should serve a basic endpoint from pods",
      upstreamSeconds: 8,
      kubequakeSeconds: 4,
      scenarios: 2,
    },
  ]);
  const table = formatSideBySide(rows, distinctScenarioSeconds(rows, scenarios));
  assert.match(table.at(-2) ?? "", /total: e2e\.test 8\.0 s, kubequake 4\.0 s = 0\.50× \(target ≤ 0\.5×\)/);
  assert.match(table.at(-1) ?? "", /counted once per scenario: 2 scenario\(s\), 4\.0 s = 0\.50×/);
});

test("nothing to compare says how to get something to compare", () => {
  assert.match(formatSideBySide([])[0] ?? "", /no test ran in both/);
});
