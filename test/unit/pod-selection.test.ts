import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chaosSeed,
  choosePods,
  parsePodSelection,
  podSelectionPattern,
  seededRandom,
} from "../../support/chaos/selection.ts";
import { longestReadyFirst, type PodSummary } from "../../support/kube/pods.ts";

const pods = ["web-c", "web-a", "web-d", "web-b"];

test("a {podSelection} phrase reads as the first N pods, N random pods or a share of the pods", () => {
  const parse = (text: string) => {
    const match = new RegExp(`^(?:${podSelectionPattern.source})$`).exec(text);
    assert.ok(match, text);
    return parsePodSelection(match[1], match[2], match[3]);
  };
  assert.deepEqual(parse("2 pods"), { kind: "first", count: 2 });
  assert.deepEqual(parse("1 pod"), { kind: "first", count: 1 });
  assert.deepEqual(parse("1 random pod"), { kind: "random", count: 1 });
  assert.deepEqual(parse("3 random pods"), { kind: "random", count: 3 });
  assert.deepEqual(parse("50% of the pods"), { kind: "percent", percent: 50 });
});

test("the first N pods are the first by name, whatever order the API listed them in, and print no seed", () => {
  const chosen = choosePods({ kind: "first", count: 2 }, pods, 7, "SIGSTOP", "web");
  assert.deepEqual(chosen.pods, ["web-a", "web-b"]);
  assert.equal(chosen.seed, undefined);
});

test("a random choice is the same for the same seed and the same pods in any order, and names its seed", () => {
  const one = choosePods({ kind: "random", count: 2 }, pods, 42, "SIGSTOP", "web");
  const again = choosePods({ kind: "random", count: 2 }, [...pods].reverse(), 42, "SIGSTOP", "web");
  assert.deepEqual(one.pods, again.pods);
  assert.equal(one.seed, 42);
  assert.match(one.description, /2 of 4 ready pods chosen with seed 42; KUBEQUAKE_CHAOS_SEED=42 repeats the choice/);
  assert.equal(new Set(one.pods).size, 2);
  for (const pod of one.pods) assert.ok(pods.includes(pod));
});

test("different seeds pick every pod sometimes, about evenly", () => {
  const counts = new Map<string, number>();
  for (let seed = 0; seed < 4000; seed += 1) {
    const [pod] = choosePods({ kind: "random", count: 1 }, pods, seed, "SIGSTOP", "web").pods;
    counts.set(pod!, (counts.get(pod!) ?? 0) + 1);
  }
  assert.equal(counts.size, 4);
  for (const [pod, count] of counts) assert.ok(count > 850 && count < 1150, `${pod} chosen ${count} of 4000 times`);
});

test("a share is rounded up to whole pods: 50% of 3 is 2, 1% of 4 is 1, 100% is all", () => {
  assert.equal(choosePods({ kind: "percent", percent: 50 }, ["a", "b", "c"], 1, "SIGSTOP", "web").pods.length, 2);
  assert.equal(choosePods({ kind: "percent", percent: 1 }, pods, 1, "SIGSTOP", "web").pods.length, 1);
  assert.deepEqual(choosePods({ kind: "percent", percent: 100 }, pods, 1, "SIGSTOP", "web").pods, [...pods].sort());
});

test("a share outside 1-100%, a count of 0 or beyond the ready pods, or no ready pod are refused clearly", () => {
  assert.throws(
    () => choosePods({ kind: "percent", percent: 150 }, pods, 1, "SIGSTOP", "web"),
    /cannot SIGSTOP 150% of the pods of "web": a share of pods is a whole percentage from 1% to 100%/,
  );
  assert.throws(
    () => choosePods({ kind: "percent", percent: 0 }, pods, 1, "SIGSTOP", "web"),
    /cannot SIGSTOP 0% of the pods/,
  );
  assert.throws(
    () => choosePods({ kind: "random", count: 0 }, pods, 1, "SIGSTOP", "web"),
    /cannot SIGSTOP 0 random pod\(s\) of "web": the count must be at least 1/,
  );
  assert.throws(
    () => choosePods({ kind: "first", count: 5 }, pods, 1, "SIGTERM", "web"),
    /cannot SIGTERM 5 pod\(s\) of "web": it has only 4 ready pod\(s\) \(web-a, web-b, web-c, web-d\)/,
  );
  assert.throws(
    () => choosePods({ kind: "random", count: 1 }, [], 1, "SIGSTOP", "web"),
    /cannot SIGSTOP 1 random pod\(s\) of "web": it has no ready pod/,
  );
});

test("the seed comes from KUBEQUAKE_CHAOS_SEED when set, is fresh otherwise, and a bad one is refused", () => {
  assert.equal(chaosSeed({ KUBEQUAKE_CHAOS_SEED: "42" }), 42);
  const fresh = chaosSeed({});
  assert.ok(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 32);
  assert.throws(() => chaosSeed({ KUBEQUAKE_CHAOS_SEED: "forty" }), /KUBEQUAKE_CHAOS_SEED=forty is not a seed/);
  assert.throws(() => chaosSeed({ KUBEQUAKE_CHAOS_SEED: "4294967296" }), /is not a seed/);
});

test("the seeded generator is deterministic and stays in [0, 1)", () => {
  const a = seededRandom(123);
  const b = seededRandom(123);
  for (let i = 0; i < 1000; i += 1) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});

test("a kill takes the pod ready longest first, then by name; a pod without a Ready time comes last", () => {
  const pod = (name: string, readySinceUnixMs?: number): PodSummary => ({
    name,
    ip: "",
    ips: [],
    node: "",
    phase: "Running",
    ready: true,
    ...(readySinceUnixMs === undefined ? {} : { readySinceUnixMs }),
    terminating: false,
    restarts: 0,
    labels: {},
    waiting: "",
  });
  const order = longestReadyFirst([pod("web-a", 5000), pod("web-c"), pod("web-b", 1000), pod("web-d", 1000)]);
  assert.deepEqual(
    order.map((p) => p.name),
    ["web-b", "web-d", "web-a", "web-c"],
  );
});
