import assert from "node:assert/strict";
import { test } from "node:test";
import { namespaceName } from "../../support/kube/namespace.ts";
import { describeAfterAction } from "../../support/scenario/context.ts";

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test("a namespace name is kq-<run>-<worker>-<slug>-<6-character suffix>", () => {
  const name = namespaceName("mf3x9k2a", "w0", "A gracefully killed pod leaves", "features/a.feature:pickle-1:tc-1");
  assert.match(name, /^kq-mf3x9k2a-w0-a-gracefully-killed-pod-leaves-[a-z0-9]{6}$/);
});

test("the same key gives the same name; another key (another row, another attempt) another name", () => {
  const a = namespaceName("run", "w0", "Each row", "outline.feature:p1:t1");
  assert.equal(namespaceName("run", "w0", "Each row", "outline.feature:p1:t1"), a);
  assert.notEqual(namespaceName("run", "w0", "Each row", "outline.feature:p2:t2"), a);
  assert.notEqual(namespaceName("run", "w0", "Each row", "outline.feature:p1:t3"), a, "a retry gets a new name");
});

test("scenarios whose long names share a prefix get different names", () => {
  const shared = "Scaling 3 → 5 → 1 is followed by the endpoints and by the traffic";
  const one = namespaceName("mf3x9k2a", "w0", `${shared} for all pods`, "f.feature:p1:t1");
  const other = namespaceName("mf3x9k2a", "w0", `${shared} of one pod`, "f.feature:p2:t2");
  assert.notEqual(one, other);
  assert.equal(one.slice(0, -7), other.slice(0, -7), "both keep the readable slug, cut to the same length");
});

test("1000 keys give 1000 distinct names (the suffix carries the uniqueness)", () => {
  const names = new Set(Array.from({ length: 1000 }, (_, i) => namespaceName("r", "w1", "row", `k${i}`)));
  assert.equal(names.size, 1000);
});

test("every name is a DNS-1123 label of at most 63 characters, whatever the input", () => {
  const inputs: [string, string, string][] = [
    ["mf3x9k2a", "w0", "x".repeat(200)],
    ["mf3x9k2a", "w12", "Über-größe!! ### --- trailing---"],
    ["RUN_ID.With.Dots", "W0", "Mixed CASE name"],
    ["a".repeat(80), "w0", "long run id"],
    ["mf3x9k2a", "w0", "---"],
    ["mf3x9k2a", "w0", ""],
    ["", "", "🙂"],
  ];
  for (const [run, worker, scenario] of inputs) {
    const name = namespaceName(run, worker, scenario, `${run}/${scenario}`);
    assert.ok(name.length <= 63, `${name} is ${name.length} characters`);
    assert.match(name, dns1123Label, name);
    assert.doesNotMatch(name, /--/, `no double dashes in ${name}`);
  }
});

test("a name whose slug would be empty still says it is a scenario", () => {
  assert.match(namespaceName("r", "w0", "!!!", "k"), /^kq-r-w0-scenario-[a-z0-9]{6}$/);
});

test("times after an action are never clamped: a negative time is reported as such", () => {
  assert.equal(describeAfterAction(1234, "1 pod(s) of web killed"), "1.234 s after: 1 pod(s) of web killed");
  assert.equal(describeAfterAction(0, "x"), "0.000 s after: x");
  assert.equal(
    describeAfterAction(-120, "1 pod(s) of web killed"),
    "-0.120 s after: 1 pod(s) of web killed (the change was seen before the action was recorded)",
  );
});
