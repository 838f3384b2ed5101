import assert from "node:assert/strict";
import { test } from "node:test";
import {
  achievedRate,
  buildLoadResult,
  expectRateHeld,
  LoadRateError,
  mergeClientSamples,
  type ProberLoadSample,
  type ProberLoadStatus,
  splitRate,
} from "../../support/chaos/load.ts";
import type { ProberApi } from "../../support/clients/prober-api.ts";
import { UserError } from "../../support/errors/user-error.ts";

/** `count` ok samples at `rate` req/s from `began`, scheduled one interval apart (as vegeta schedules). */
function samples(count: number, rate: number, began: number, pod = "web-a"): ProberLoadSample[] {
  const interval = 1000 / rate;
  return Array.from({ length: count }, (_, seq) => {
    const scheduled = began + (seq + 1) * interval;
    return {
      seq,
      scheduledUnixMs: scheduled,
      startUnixMs: scheduled + 0.05,
      latencyMs: 1.05,
      serviceMs: 1,
      ok: true,
      status: 200,
      errorKind: "",
      pod,
    };
  });
}

function status(id: string, rate: number, got: ProberLoadSample[], overrides: Partial<ProberLoadStatus> = {}) {
  return {
    id,
    url: "http://web",
    state: "done",
    stopReason: "duration",
    requestedRate: rate,
    achievedRate: rate,
    rateHeld: true,
    rateProblems: [],
    durationMs: 1000,
    timeoutMs: 2000,
    maxWorkers: 2010,
    planned: got.length,
    started: got.length,
    completed: got.length,
    workersInUse: 0,
    peakWorkers: 3,
    beganUnixMs: 1000,
    scheduleLagMs: { p50: 0.05, p99: 0.05, max: 0.05 },
    errorCounts: {},
    errorExamples: {},
    samples: [],
    next: got.length,
    ...overrides,
  } satisfies ProberLoadStatus;
}

test("splitRate splits a total rate over clients in whole requests per second", () => {
  assert.deepEqual(splitRate(300, 2), [150, 150]);
  assert.deepEqual(splitRate(101, 2), [51, 50]);
  assert.deepEqual(splitRate(1000, 3), [334, 333, 333]);
  assert.deepEqual(splitRate(7, 1), [7]);
  assert.throws(() => splitRate(1, 2), UserError);
  assert.throws(() => splitRate(10_001, 2), /between 1 and 5000/);
  assert.throws(() => splitRate(2.5, 1), UserError);
  assert.throws(() => splitRate(10, 0), UserError);
});

test("mergeClientSamples tags each sample with its client and orders by scheduled time", () => {
  const merged = mergeClientSamples([
    { client: "client-1", samples: samples(3, 10, 1000).reverse() },
    { client: "client-0", samples: samples(2, 10, 1050) },
  ]);
  assert.deepEqual(
    merged.map((s) => `${s.client}#${s.seq}@${s.scheduledUnixMs}`),
    ["client-1#0@1100", "client-0#0@1150", "client-1#1@1200", "client-0#1@1250", "client-1#2@1300"],
  );
  // Same scheduled time: the client name decides, so the order never depends on which poll arrived first.
  const tied = mergeClientSamples([
    { client: "b", samples: samples(1, 10, 0) },
    { client: "a", samples: samples(1, 10, 0) },
  ]);
  assert.deepEqual(
    tied.map((s) => s.client),
    ["a", "b"],
  );
});

test("achievedRate counts requests started in the window", () => {
  const run = samples(100, 100, 0); // starts at 10.05, 20.05, … 1000.05 ms
  assert.equal(achievedRate(run, 0, 1000), 99);
  assert.equal(achievedRate(run, 0, 1001), 100 / 1.001);
  assert.equal(achievedRate(run, 500, 600), 100);
  assert.equal(achievedRate(run, 600, 600), 0);
  assert.equal(achievedRate([], 0, 1000), 0);
});

test("buildLoadResult sums the clients' rates and holds when every client held its rate", () => {
  const a = samples(150, 150, 1000, "web-a");
  const b = samples(150, 150, 1002, "web-b");
  const result = buildLoadResult("http://web", [
    { client: "client-0", status: status("load-a", 150, a, { achievedRate: 149.9 }), samples: a },
    { client: "client-1", status: status("load-b", 150, b, { achievedRate: 150 }), samples: b },
  ]);
  assert.equal(result.requestedRate, 300);
  assert.equal(result.achievedRate, 299.9);
  assert.equal(result.rateHeld, true);
  assert.deepEqual(result.problems, []);
  assert.equal(result.samples.length, 300);
  assert.equal(result.startedAtUnixMs, 1000);
  assert.deepEqual(
    result.clients.map((c) => [c.client, c.requestedRate, c.received]),
    [
      ["client-0", 150, 150],
      ["client-1", 150, 150],
    ],
  );
  expectRateHeld(result);
});

test("buildLoadResult reports a rate not held, a lost sample and a run still going, per client", () => {
  const a = samples(100, 100, 1000);
  const b = samples(100, 100, 1000);
  const result = buildLoadResult("http://web", [
    {
      client: "client-0",
      status: status("load-a", 100, a, {
        achievedRate: 80,
        rateHeld: false,
        rateProblems: ["achieved 80.0 req/s, below 99% of the requested 100 req/s"],
      }),
      samples: a,
    },
    { client: "client-1", status: status("load-b", 100, b, { completed: 101, state: "running" }), samples: b },
  ]);
  assert.equal(result.rateHeld, false);
  assert.deepEqual(result.problems, [
    "client-0: achieved 80.0 req/s, below 99% of the requested 100 req/s",
    "client-1: the load was still running when its result was taken",
    "client-1: received 100 samples of the 101 it recorded",
  ]);
  assert.throws(
    () => expectRateHeld(result),
    (error: unknown) =>
      error instanceof LoadRateError &&
      error.message.includes("expected the background load to hold 200 requests/s to http://web") &&
      error.message.includes("(overall it achieved 180.0 requests/s), but:\n  client-0: achieved 80.0 req/s") &&
      error.message.includes("client-0 80.0/100 req/s"),
  );
});

test("a client that recorded no request fails the rate check: there is nothing to judge", () => {
  const a = samples(100, 100, 1000);
  const result = buildLoadResult("http://web", [
    { client: "client-0", status: status("load-a", 100, a), samples: a },
    { client: "client-1", status: status("load-b", 100, [], { planned: 0, started: 0, completed: 0 }), samples: [] },
  ]);
  assert.equal(result.rateHeld, false);
  assert.deepEqual(result.problems, [
    "client-1: recorded no request at all (0 planned, 0 started), so there is nothing to judge; let the traffic run before it stops, e.g. When the steady traffic runs for 5 more seconds",
  ]);
  assert.throws(() => expectRateHeld(result), LoadRateError);
  const none = buildLoadResult("http://web", [{ client: "client-0", status: status("load-a", 100, []), samples: [] }]);
  assert.throws(() => expectRateHeld(none), /client-0: recorded no request at all/);
});

test("the steady traffic's rate check fails when it has no result to judge, and when it recorded nothing", async () => {
  const { expectSteadyRateHeld } = await import("../../support/chaos/steady-traffic.ts");
  type Context = Parameters<typeof expectSteadyRateHeld>[0];
  // A scenario whose steady-traffic slot holds `current` (the only slot these checks read).
  const withTraffic = (current: unknown) => ({ peek: () => ({ current }) }) as unknown as Context;
  const running = withTraffic({ url: "http://web" });
  assert.throws(() => expectSteadyRateHeld(running), /but it has none yet/);
  const empty = buildLoadResult("http://web", [{ client: "client-0", status: status("load-a", 50, []), samples: [] }]);
  const stopped = withTraffic({ url: "http://web", result: empty });
  assert.throws(() => expectSteadyRateHeld(stopped), /recorded no request at all/);
  assert.throws(() => expectSteadyRateHeld(withTraffic(undefined)), /no steady traffic was started in this scenario/);
});

test("the background load drives any prober API alike: a pod's through the API server or an outside container's", async () => {
  const { BackgroundLoad } = await import("../../support/chaos/load.ts");
  const calls: string[] = [];
  // An outside prober answering over HTTP as the demo image does, here in-process: start, then pages of samples.
  const fake = (name: string, got: ProberLoadSample[]): ProberApi => ({
    name,
    async post<T>(path: string, body: unknown) {
      calls.push(`${name} POST ${path} ${JSON.stringify(body)}`);
      if (path === "/load/start") return { id: `load-${name}` } as T;
      return status(`load-${name}`, 50, got, { stopReason: "stopped", samples: [], next: got.length }) as T;
    },
    async get<T>(path: string) {
      calls.push(`${name} GET ${path}`);
      const since = Number(new URL(path, "http://x").searchParams.get("since"));
      return status(`load-${name}`, 50, got, { samples: got.slice(since), next: got.length }) as T;
    },
  });
  const load = await BackgroundLoad.start(
    [
      fake('outside client "a" (172.18.0.9)', samples(50, 50, 1000)),
      fake("the host (172.18.0.1)", samples(50, 50, 1000)),
    ],
    { url: "http://172.18.255.200/", rate: 100, durationMs: 1000 },
    { pollIntervalMs: 5 },
  );
  const result = await load.done();
  assert.equal(result.rateHeld, true, result.problems.join("; "));
  assert.equal(result.samples.length, 100);
  assert.deepEqual([...new Set(result.samples.map((s) => s.client))].sort(), [
    'outside client "a" (172.18.0.9)',
    "the host (172.18.0.1)",
  ]);
  assert.ok(
    calls.includes(
      'the host (172.18.0.1) POST /load/start {"url":"http://172.18.255.200/","rate":50,"durationMs":1000,"timeoutMs":0,"maxWorkers":0}',
    ),
  );
});

test("the ready endpoints over the traffic start with what the Service had when it began", async () => {
  const { readyEndpointsSince } = await import("../../support/chaos/steady-traffic.ts");
  const endpoint = (ready: boolean) => ({ ip: "", pod: "", ready, serving: ready, terminating: false, node: "" });
  const change = (atUnixMs: number, ...ready: boolean[]) => ({ atUnixMs, endpoints: ready.map(endpoint), slices: [] });
  const watcher = {
    service: "web",
    timeline: [change(100, true), change(200, true, true), change(1500, true, false), change(9000, true)],
  };
  assert.deepEqual(readyEndpointsSince(watcher, 1000, 5000), {
    service: "web",
    points: [
      { atUnixMs: 1000, ready: 2 },
      { atUnixMs: 1500, ready: 1 },
    ],
  });
  assert.deepEqual(readyEndpointsSince({ service: "web", timeline: [] }, 1000, 5000), { service: "web", points: [] });
});
