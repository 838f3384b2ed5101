import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import type { HttpProbeResult } from "../../support/kube/prober.ts";
import type { TrafficResult } from "../../support/traffic/client.ts";
import {
  describeMissingRequests,
  expectAllRefused,
  expectAllSucceeded,
  expectAllTimedOut,
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
    [
      "each of the 1 ready pods of web (a) to answer at least 1 requests",
      () => expectEveryPodAnswered(cutOff, ["a"], 1, "web"),
    ],
    ["an even split over the 1 ready pods of web", () => expectEvenSplit(cutOff, ["a"], 50, "web")],
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
  expectAllTimedOut(traffic(all("timeout", 4)));
  expectEveryPodAnswered(complete, ["a", "b"], 5, "web");
  expectEvenSplit(complete, ["a", "b"], 1, "web");
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
  assert.throws(() => expectEveryPodAnswered(skewed, ["a", "b"], 2, "web"), /b answered 1/);
  assert.throws(() => expectEvenSplit(skewed, ["a", "b"], 50, "web"), /a answered 9, 80\.0% off/);
});

test("expectEachClientSticky names the wandering client", () => {
  assert.throws(
    () => expectEachClientSticky([traffic(all("a", 3)), traffic(["a", "b"], 2, "client-1")]),
    /each client to be answered by a single pod, but client-1: b answered after the first answer came from a \(a=1, b=1\)$/,
  );
});

test("every ready pod and the even split fail when the backend has no ready pod, instead of passing on no pods", () => {
  const answered = traffic(all("a", 10));
  const noPod =
    /but web had no ready pod when the answers were judged, so there was nothing to judge \(wait for its pods first/;
  assert.throws(() => expectEveryPodAnswered(answered, [], 1, "web"), noPod);
  assert.throws(
    () => expectEveryPodAnswered(answered, [], 1, "web"),
    /^TrafficExpectationError: expected every ready pod of web to answer at least 1 requests, but web had no ready pod/,
  );
  assert.throws(
    () => expectEvenSplit(answered, [], 10, "web"),
    /^TrafficExpectationError: expected an even split over the ready pods of web within 10%, but web had no ready pod/,
  );
  assert.throws(() => expectEvenSplit(answered, [], 10, "web"), noPod);
  assert.throws(
    () => expectEvenSplit(traffic(all("refused", 4)), ["a", "b"], 10, "web"),
    /an even split over the 2 ready pods of web \(0\.0 each\) within 10%, but none of them \(a, b\) answered a request, so there was no split to judge/,
  );
});

test("an even split's tolerance is a percentage; at least 0 answers or 0 pods is refused", () => {
  const complete = traffic([...all("a", 5), ...all("b", 5)]);
  assert.throws(
    () => expectEvenSplit(complete, ["a", "b"], 150, "web"),
    (error: Error) =>
      error instanceof UserError &&
      /^cannot check 150% is not a percentage: a share lies from 0% to 100%\n {2}what to do: give a percentage from 0 to 100/.test(
        error.message,
      ),
  );
  assert.throws(
    () => expectEveryPodAnswered(complete, ["a", "b"], 0, "web"),
    /at least 0 request\(s\): a pod that answered none would pass/,
  );
  assert.throws(
    () => expectAtLeastPods(complete, 0),
    /at least 0 different pod\(s\): traffic that no pod answered would pass/,
  );
  expectEvenSplit(complete, ["a", "b"], 0, "web");
  expectEvenSplit(complete, ["a", "b"], 100, "web");
});

test("stickiness checks fail when there was no client or no answered request", () => {
  assert.throws(
    () => expectEachClientSticky([]),
    (error: Error) =>
      error instanceof UserError &&
      error.message.startsWith(
        "expected each client to be answered by a single pod, but no client sent a request in this scenario yet, so there was nothing to judge",
      ),
  );
  assert.throws(
    () => expectEachClientSticky([traffic(all("a", 3)), traffic(["refused", "refused"], 2, "client-1")]),
    /client-1: no request was answered and 2 failed/,
  );
  assert.throws(() => expectSinglePod(traffic(["timeout", "refused"])), /but no request was answered and 2 failed/);
});

test("refused and timed out are told apart: each check fails on the other kind, naming it", () => {
  assert.throws(
    () => expectAllRefused(traffic(["refused", "timeout"])),
    /expected every request to be refused \(connection refused, not a timeout\), but 1 of 2 were not refused \(first: timeout dial tcp: connect: i\/o timeout\)/,
  );
  assert.throws(
    () => expectAllTimedOut(traffic(["timeout", "refused", "a"])),
    /expected every request to time out \(unanswered, not refused\), but 2 of 3 were not timed out \(first: refused dial tcp: connect: connection refused\)/,
  );
});
