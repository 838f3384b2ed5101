import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describeDistribution,
  evenSplit,
  formatDistribution,
  percentile,
  type RequestOutcome,
  summarize,
  unexpectedPods,
} from "../../support/traffic/statistics.ts";

const answer = (pod: string, durationMs = 1): RequestOutcome => ({
  ok: true,
  pod,
  errorKind: "",
  startUnixMs: 0,
  durationMs,
});
const failure = (errorKind: string): RequestOutcome => ({
  ok: false,
  pod: "",
  errorKind,
  startUnixMs: 0,
  durationMs: 2,
});

test("summarize counts answers per pod and failures per kind", () => {
  const summary = summarize([
    answer("b"),
    answer("a"),
    answer("b"),
    failure("refused"),
    failure("timeout"),
    failure("refused"),
  ]);
  assert.equal(summary.total, 6);
  assert.equal(summary.succeeded, 3);
  assert.equal(summary.failed, 3);
  assert.deepEqual(summary.byPod, { a: 1, b: 2 });
  assert.deepEqual(Object.keys(summary.byPod), ["a", "b"]);
  assert.deepEqual(summary.errorKinds, { refused: 2, timeout: 1 });
});

test("percentile uses nearest rank and rejects out-of-range p", () => {
  const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  assert.equal(percentile(values, 50), 5);
  assert.equal(percentile(values, 90), 9);
  assert.equal(percentile(values, 99), 10);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([], 50), 0);
  assert.throws(() => percentile(values, 101), /within 0\.\.100/);
});

test("evenSplit reports the worst deviation from an even share, counting silent pods as 0", () => {
  const split = evenSplit({ a: 50, b: 50, c: 20 }, ["a", "b", "c", "d"]);
  assert.equal(split.expected, 30);
  assert.equal(split.worstPod, "d");
  assert.equal(split.worstDeviationPercent, 100);
  const skewed = evenSplit({ a: 50, b: 25, c: 15 }, ["a", "b", "c"]);
  assert.equal(skewed.worstPod, "a");
  assert.ok(Math.abs(skewed.worstDeviationPercent - 66.67) < 0.01);
  assert.equal(evenSplit({ a: 10, b: 10 }, ["a", "b"]).worstDeviationPercent, 0);
});

test("unexpectedPods names pods outside the allowed set", () => {
  assert.deepEqual(unexpectedPods({ a: 1, x: 2 }, ["a", "b"]), ["x"]);
});

test("formatDistribution and describeDistribution show counts and failures", () => {
  const summary = summarize([answer("web-a", 3), answer("web-a", 5), failure("refused")]);
  const table = formatDistribution(summary);
  assert.match(table, /3 requests, 2 succeeded, 1 failed \(refused: 1\)/);
  assert.match(table, /web-a\s+2\s+66\.7%/);
  assert.equal(describeDistribution(summary), "web-a=2, refused=1");
  assert.equal(describeDistribution(summarize([])), "no requests");
});
