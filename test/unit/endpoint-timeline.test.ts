import assert from "node:assert/strict";
import { test } from "node:test";
import { describeEndpoints, type EndpointChange, firstSatisfying } from "../../support/endpoints/watcher.ts";
import type { EndpointAddress } from "../../support/kube/endpoints.ts";

const endpoint = (pod: string, ready: boolean, terminating = false): EndpointAddress =>
  ({ pod, ip: `10.244.1.${pod.length}`, ready, terminating, serving: ready || terminating }) as EndpointAddress;
const change = (atUnixMs: number, ...endpoints: EndpointAddress[]): EndpointChange => ({
  atUnixMs,
  endpoints,
  slices: [],
});
const readyCount = (n: number) => (e: readonly EndpointAddress[]) => e.filter((x) => x.ready).length === n;

test("the satisfying change is the first one of the run that still holds now", () => {
  const timeline = [
    change(100, endpoint("a", true), endpoint("b", true)),
    change(200, endpoint("a", true)),
    change(300, endpoint("a", true), endpoint("b", true)),
    change(400, endpoint("a", true), endpoint("b", true), endpoint("c", false)),
  ];
  assert.equal(firstSatisfying(timeline, readyCount(2))?.atUnixMs, 300);
  assert.equal(firstSatisfying(timeline, readyCount(1)), undefined, "held once, but not now");
});

test("a condition that held from the first observation dates from it; an empty timeline satisfies nothing", () => {
  assert.equal(firstSatisfying([change(5), change(9)], readyCount(0))?.atUnixMs, 5);
  assert.equal(firstSatisfying([], readyCount(0)), undefined);
});

test("endpoints are described with their state", () => {
  assert.equal(describeEndpoints([]), "no endpoints");
  assert.equal(
    describeEndpoints([endpoint("a", true), endpoint("b", false, true), endpoint("c", false)]),
    "a(ready), b(terminating), c(not ready)",
  );
});

test("a long endpoint list is summarized with counts and the first few", () => {
  const many = Array.from({ length: 173 }, (_, i) => endpoint(`web-${String(i).padStart(3, "0")}`, i % 2 === 0));
  const text = describeEndpoints(many, 3);
  assert.equal(
    text,
    "173 endpoints (87 ready, 86 not ready); first 3: web-000(ready), web-001(not ready), web-002(ready), …",
  );
});
