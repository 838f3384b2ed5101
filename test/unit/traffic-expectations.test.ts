import assert from "node:assert/strict";
import { test } from "node:test";
import type { HttpProbeResult } from "../../support/kube/prober.ts";
import type { TrafficResult } from "../../support/traffic/client.ts";
import {
  describeMissingRequests,
  expectAllRefused,
  expectAllSucceeded,
  expectAtLeastPods,
  expectEachClientSticky,
  expectEvenSplit,
  expectEveryPodAnswered,
  expectOnlyPods,
  expectSinglePod,
} from "../../support/traffic/expectations.ts";
import { summarize } from "../../support/traffic/statistics.ts";

function request(seq: number, outcome: string): HttpProbeResult {
  const refused = outcome === "refused" || outcome === "timeout";
  return {
    seq,
    startUnixMs: 1_000 + seq,
    durationMs: 1,
    ok: !refused,
    status: refused ? 0 : 200,
    pod: refused ? "" : outcome,
    podIP: "",
    node: "",
    clientIP: "10.244.1.9",
    error: refused ? `dial tcp: connect: ${outcome === "refused" ? "connection refused" : "i/o timeout"}` : "",
    errorKind: refused ? (outcome as "refused" | "timeout") : "",
  };
}

/** Traffic of `outcomes` (a pod name answered, or "refused"/"timeout"), `requested` asked for, the rest not sent. */
function traffic(outcomes: readonly string[], requested = outcomes.length, client = "client-0"): TrafficResult {
  const results = outcomes.map((outcome, seq) => request(seq, outcome));
  return {
    client,
    url: "http://web",
    requested,
    budgetMs: 3000,
    probe: { url: "http://web", startedAt: "", results, notSent: requested - outcomes.length },
    summary: summarize(results),
  };
}

const all = (pod: string, n: number) => Array.from({ length: n }, () => pod);

test("describeMissingRequests is silent when every request was recorded", () => {
  assert.equal(describeMissingRequests(traffic(["a", "b"])), undefined);
});

test("describeMissingRequests counts the requests not sent and says why", () => {
  assert.equal(
    describeMissingRequests(traffic(["a", "a", "a"], 10)),
    "only 3 of 10 requests were sent: 7 were not sent because the prober's time budget of 3.0 s ran out first (send fewer requests or allow more time)",
  );
});

test("describeMissingRequests names requests missing from the prober's answer without a notSent count", () => {
  const result = traffic(["a"], 3);
  const lost = { ...result, probe: { ...result.probe, notSent: 0 } };
  assert.match(
    describeMissingRequests(lost) ?? "",
    /only 1 of 3 requests were sent: 2 are missing from the prober's answer/,
  );
});

test("every check fails when requests were not sent, naming its own expectation and the not-sent count", () => {
  const cutOff = traffic(all("a", 3), 10);
  const refusedCutOff = traffic(all("refused", 3), 10);
  const checks: [string, () => void][] = [
    ["every request to succeed", () => expectAllSucceeded(cutOff)],
    ["every request to be refused", () => expectAllRefused(refusedCutOff)],
    ["each of the 1 ready pods (a) to answer at least 1 requests", () => expectEveryPodAnswered(cutOff, ["a"], 1)],
    ["an even split over 1 pods", () => expectEvenSplit(cutOff, ["a"], 50)],
    ["only pods of web (a) to answer", () => expectOnlyPods(cutOff, ["a"], "web")],
    ["every request to be answered by the same pod", () => expectSinglePod(cutOff)],
    ["the requests to be answered by at least 1 different pods", () => expectAtLeastPods(cutOff, 1)],
    ["each client to be answered by a single pod", () => expectEachClientSticky([traffic(all("a", 5)), cutOff])],
  ];
  for (const [expected, check] of checks) {
    assert.throws(check, (error: Error) => {
      assert.ok(error.message.startsWith(`expected ${expected}`), error.message);
      assert.match(error.message, /but only 3 of 10 requests were sent: 7 were not sent because/);
      return true;
    });
  }
});

test("the same checks pass when every request was sent", () => {
  const complete = traffic([...all("a", 5), ...all("b", 5)]);
  expectAllSucceeded(complete);
  expectAllRefused(traffic(all("refused", 4)));
  expectEveryPodAnswered(complete, ["a", "b"], 5);
  expectEvenSplit(complete, ["a", "b"], 1);
  expectOnlyPods(complete, ["a", "b"], "web");
  expectSinglePod(traffic(all("a", 4)));
  expectAtLeastPods(complete, 2);
  expectEachClientSticky([traffic(all("a", 3)), traffic(all("b", 3), 3, "client-1")]);
});

test("expectAllSucceeded names the failures and the first error", () => {
  assert.throws(
    () => expectAllSucceeded(traffic(["a", "refused", "timeout"])),
    /^TrafficExpectationError: expected every request to succeed, but 2 of 3 failed \(first: refused dial tcp: connect: connection refused\) \(3 requests from client-0 to http:\/\/web: a=1, refused=1, timeout=1\)$/,
  );
});

test("expectAllRefused rejects answers and timeouts", () => {
  assert.throws(() => expectAllRefused(traffic(["refused", "a"])), /1 of 2 were not refused \(first: answered by a\)/);
  assert.throws(() => expectAllRefused(traffic(["refused", "timeout"])), /1 of 2 were not refused \(first: timeout/);
});

test("expectSinglePod fails when the client moves to another pod after its first answer, and on a failure", () => {
  assert.throws(
    () => expectSinglePod(traffic(["a", "b"])),
    /same pod, but b answered after the first answer came from a \(2 requests/,
  );
  assert.throws(
    () => expectSinglePod(traffic(["a", "refused"])),
    /same pod, but 1 failed \(first: refused dial tcp: connect: connection refused, request 2 of 2\) \(/,
  );
});

/** The `wave` connections opened at once (each answered in 2 ms), then `later` ones after the answers came. */
function firstWaveThen(wave: readonly string[], later: readonly string[]): TrafficResult {
  const base = traffic([...wave, ...later]);
  const results = base.probe.results.map((r, seq) => ({
    ...r,
    startUnixMs: seq < wave.length ? 1_000 : 1_002 + seq,
    durationMs: 2,
  }));
  return { ...base, probe: { ...base.probe, results } };
}

test("simultaneous first connections may each pick a pod; the client must then stick to one of them", () => {
  // kube-proxy records ClientIP affinity from a connection's first packet: two opened at once can both pick.
  expectSinglePod(firstWaveThen(["a", "b", "b", "b"], all("b", 16)));
  expectEachClientSticky([firstWaveThen(["a", "b", "a", "a"], all("a", 16))]);
  assert.throws(
    () => expectSinglePod(firstWaveThen(["a", "b", "b", "b"], ["b", "c", "b"])),
    /but 2 pods answered the requests started after the first answer \(b, c\)/,
  );
  assert.throws(
    () => expectSinglePod(firstWaveThen(["a", "a", "a", "a"], all("c", 16))),
    /but c answered after the first answer came from a/,
  );
  assert.throws(() => expectSinglePod(firstWaveThen(["a", "b"], [])), /but 2 pods answered \(/);
  assert.throws(
    () => expectSinglePod(traffic(["refused"])),
    /but no request was answered and 1 failed \(first: refused/,
  );
});

test("expectOnlyPods names strangers, and fails when nothing was answered", () => {
  assert.throws(() => expectOnlyPods(traffic(["a", "canary"]), ["a"], "web"), /canary answered too/);
  assert.throws(() => expectOnlyPods(traffic(["refused"]), ["a"], "web"), /no request was answered/);
});

test("expectEveryPodAnswered and expectEvenSplit name the short pod", () => {
  const skewed = traffic([...all("a", 9), "b"]);
  assert.throws(() => expectEveryPodAnswered(skewed, ["a", "b"], 2), /b answered 1/);
  assert.throws(() => expectEvenSplit(skewed, ["a", "b"], 50), /a answered 9, 80\.0% off/);
});

test("expectEachClientSticky names the wandering client", () => {
  assert.throws(
    () => expectEachClientSticky([traffic(all("a", 3)), traffic(["a", "b"], 2, "client-1")]),
    /each client to be answered by a single pod, but client-1: b answered after the first answer came from a \(a=1, b=1\)$/,
  );
});
