import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChaosEvent } from "../../support/chaos/chaos-log.ts";
import {
  describeAnswersAfterKill,
  expectErrorBudget,
  expectKilledPodsServedBefore,
  expectLatencyAtLeast,
  expectLatencyPercentile,
  expectLatencyRatioWhileFaulted,
  expectLongestFailureWindow,
  expectLongestFailureWindowIfAny,
  expectNoAnswerAfterKill,
  expectSomeFailures,
  faultStretches,
  type SteadyTrafficRecord,
} from "../../support/chaos/expectations.ts";
import {
  answersAfterStop,
  answersFromGonePods,
  failureWindows,
  relativeToEvents,
  type TrafficSample,
} from "../../support/chaos/verdicts.ts";
import { UserError } from "../../support/errors/user-error.ts";

/** 10 requests a second for `seconds`, answered by pod "a", failing (refused) where `fails(t)` says so. */
function traffic(seconds: number, fails: (t: number) => boolean, pod = (_t: number) => "a"): TrafficSample[] {
  return Array.from({ length: seconds * 10 }, (_, seq) => {
    const t = seq * 100;
    const ok = !fails(t);
    return {
      client: "c",
      seq,
      scheduledUnixMs: t,
      startUnixMs: t + 1,
      latencyMs: 2,
      ok,
      status: ok ? 200 : 0,
      errorKind: ok ? "" : "refused",
      pod: ok ? pod(t) : "",
    };
  });
}
const kill: ChaosEvent = { atUnixMs: 2000, label: "a killed", kind: "chaos", pods: ["a"] };
const record = (samples: TrafficSample[], events: ChaosEvent[] = [kill]): SteadyTrafficRecord => ({
  url: "http://web",
  samples,
  startedAtUnixMs: 0,
  events,
});

test("a failure window runs from the first failure to the last one's end; the longest comes first", () => {
  const windows = failureWindows(traffic(10, (t) => (t >= 2000 && t < 3500) || t === 6000));
  assert.equal(windows.length, 2);
  assert.deepEqual([windows[0]!.startUnixMs, windows[0]!.endUnixMs, windows[0]!.failed], [2000, 3402, 15]);
  assert.deepEqual(windows[0]!.errorKinds, { refused: 15 });
  assert.deepEqual([windows[1]!.startUnixMs, windows[1]!.endUnixMs, windows[1]!.failed], [6000, 6002, 1]);
  assert.deepEqual(failureWindows(traffic(2, () => false)), []);
});

test("failures interleaved with answers from other pods make one window, with the share that failed", () => {
  // One pod of three is gone for 1.5 s: every third request fails, the others are answered.
  const [window, ...others] = failureWindows(traffic(10, (t) => t >= 4000 && t < 5500 && (t / 100) % 3 === 1));
  assert.deepEqual(others, []);
  assert.deepEqual([window!.startUnixMs, window!.endUnixMs, window!.failed, window!.requests], [4000, 5202, 5, 13]);
});

test("failures further apart than the merge gap are separate windows", () => {
  const windows = failureWindows(traffic(5, (t) => t === 1000 || t === 2500));
  assert.deepEqual(windows.map((w) => w.startUnixMs).sort(), [1000, 2500]);
});

test("moments are told relative to the chaos event before them", () => {
  assert.equal(relativeToEvents(3500, [kill], 0), "+1.5 s after “a killed”");
  assert.equal(relativeToEvents(500, [kill], 0), "+0.5 s after the traffic started");
});

test("the error budget fails with the share, the count and the longest window", () => {
  const failing = record(traffic(10, (t) => t >= 2000 && t < 3000));
  assert.equal(expectErrorBudget(failing, 10), "10.00% failed (10 of 100); at most 10% allowed");
  assert.throws(
    () => expectErrorBudget(failing, 1),
    /expected at most 1% of the steady traffic to fail, but 10\.00% failed \(10 of 100\)\n {2}steady traffic to http:\/\/web: 100 requests, 10 failed \(refused=10\); longest failure window 0\.90 s from \+0\.0 s after “a killed”/,
  );
  assert.throws(() => expectErrorBudget(record([]), 1), /but it recorded none/);
});

test("a window limit and a demand for failures both fail when the traffic says otherwise", () => {
  const failing = record(traffic(10, (t) => t >= 2000 && t < 5000));
  assert.throws(
    () => expectLongestFailureWindow(failing, 2),
    /to last at most 2 s, but it lasted 2\.90 s \(30 of 30 requests in it failed: refused=30\)/,
  );
  expectLongestFailureWindow(failing, 3);
  assert.throws(() => expectSomeFailures(record(traffic(1, () => false))), /but all 10 requests succeeded/);
});

test("an answer from a pod after it was gone is caught; none is fine; no kill at all is an error", () => {
  const samples = traffic(5, () => false);
  assert.equal(answersFromGonePods(samples, new Map([["a", 4500]])).length, 5);
  assert.throws(
    () => expectNoAnswerAfterKill(record(samples), new Map([["a", 4500]])),
    /expected no request to be answered by a pod after it was killed, but 5 were \(first: request 45 of c started 0\.001 s after a was gone/,
  );
  expectNoAnswerAfterKill(record(samples), new Map([["a", 9000]]));
  assert.throws(
    () => expectNoAnswerAfterKill(record(samples, []), new Map()),
    /but no pod was killed in this scenario/,
  );
});

test("answers a killed pod gave after it was told to stop fail the check, by the pod's own mark, long before it is gone", () => {
  // Pod "a" is killed at 2 s and drains for 1.5 s: it marks what it accepts after SIGTERM (at 2.05 s) until 3.55 s.
  const samples = traffic(5, () => false).map((s) =>
    s.scheduledUnixMs >= 2100 && s.scheduledUnixMs < 3600 ? { ...s, afterStopMs: s.startUnixMs - 2050 } : s,
  );
  const goneLater = new Map([["a", 9000]]);
  assert.equal(answersAfterStop(samples, new Set(["a"])).length, 15);
  assert.equal(answersAfterStop(samples, new Set(["b"])).length, 0, "only killed pods count");
  assert.throws(
    () => expectNoAnswerAfterKill(record(samples), goneLater),
    /expected no request to be answered by a pod after it was killed, but 15 were, by the pods' own account \(first: request 21 of c, answered by a on a connection it accepted 0\.051 s after it was told to stop \(SIGTERM\); the latest such answer came 1\.451 s after\)\. A backend that keeps serving after SIGTERM/,
  );
  // Allowed a drain of 2 s, the same answers pass; a drain bound of 1 s catches the 5 that came later.
  expectNoAnswerAfterKill(record(samples), goneLater, 2);
  assert.throws(
    () => expectNoAnswerAfterKill(record(samples), goneLater, 1),
    /expected no request to be answered by a pod more than 1 s after it was killed, but 5 were, by the pods' own account \(first: request 31/,
  );
  assert.match(
    describeAnswersAfterKill(record(samples)),
    /^15 of 50 requests were answered by killed pods after they were told to stop \(SIGTERM\), the latest 1\.451 s after; killed: a$/,
  );
  assert.match(
    describeAnswersAfterKill(record(traffic(5, () => false))),
    /^no killed pod \(a\) answered after it was told to stop$/,
  );
});

test("recovery is judged on a whole second whose requests have all ended, after the last fault", async () => {
  const { settledStretchAfter } = await import("../../support/chaos/steady-traffic.ts");
  // 10 s of traffic; requests scheduled 4–6 s fail (their timeouts arrive later than newer successes).
  const samples = traffic(10, (t) => t >= 4000 && t < 6000);
  const early = settledStretchAfter(samples.slice(0, 60), 3000, 2000);
  assert.deepEqual([early.startUnixMs, early.samples.length, early.samples.filter((s) => !s.ok).length], [2900, 0, 0]);
  const during = settledStretchAfter(samples.slice(0, 75), 3000, 2000);
  assert.deepEqual([during.startUnixMs, during.samples.filter((s) => !s.ok).length], [4400, 10]);
  const after = settledStretchAfter(samples, 3000, 2000);
  assert.deepEqual([after.startUnixMs, after.samples.length, after.samples.filter((s) => !s.ok).length], [6900, 10, 0]);
  const stretch = settledStretchAfter(samples, 3000, 2000, 3);
  assert.deepEqual(
    [stretch.startUnixMs, stretch.samples.length, stretch.samples.filter((s) => !s.ok).length],
    [4900, 30, 10],
  );
});

test("recovery for M consecutive seconds: one clean second after a flapping fault is not enough", async () => {
  const { judgeRecovery } = await import("../../support/chaos/steady-traffic.ts");
  // A fault at 0.5 s; requests fail 2.0–2.9 s and again 4.0–4.4 s, with one clean second (3.0–3.9 s) between.
  const samples = traffic(12, (t) => (t >= 2000 && t < 3000) || (t >= 4000 && t < 4500));
  const options = { afterUnixMs: 500, timeoutMs: 2000, rate: 10 };
  // Judged when requests up to 5.9 s had been scheduled: the second ending 3.9 s was clean.
  const upTo6 = samples.filter((s) => s.scheduledUnixMs <= 5900);
  const oneSecond = judgeRecovery(upTo6, { ...options, cleanSeconds: 1 });
  assert.equal(oneSecond.recovered, true, "one clean second (3.0–3.9 s) passes the 1 s form");
  assert.equal(oneSecond.cleanFromUnixMs, 3000);
  const threeSeconds = judgeRecovery(upTo6, { ...options, cleanSeconds: 3 });
  assert.equal(threeSeconds.recovered, false, "the 3 s form sees the failures on both sides of the lucky second");
  assert.match(threeSeconds.seen, /the latest settled 3 s: 20 of 30 succeeded \(at least 24 needed\)/);
  // With all 12 s: the window 6.9–9.9 s is clean; the clean stretch began at 4.5 s, 4 s after the fault.
  const later = judgeRecovery(samples, { ...options, cleanSeconds: 3 });
  assert.deepEqual([later.recovered, later.cleanFromUnixMs - 500], [true, 4000]);
  // Too few requests (a stalled client) is not recovery, however clean.
  const sparse = judgeRecovery(
    samples.filter((s) => s.seq % 2 === 0),
    { ...options, cleanSeconds: 3 },
  );
  assert.equal(sparse.recovered, false);
});

test("service came back at the first success after the last failure that followed the fault", async () => {
  const { recoveryMoment } = await import("../../support/chaos/steady-traffic.ts");
  const samples = traffic(10, (t) => t === 2500 || t === 3100);
  assert.equal(recoveryMoment(samples, 2000), 3200);
  assert.equal(recoveryMoment(samples, 5000), 5000, "nothing failed after the fault: recovered at once");
});

test("failures of one kind only: another kind, or no failure at all, fails the check", async () => {
  const { expectFailuresOnlyOfKind } = await import("../../support/chaos/expectations.ts");
  const dnsOutage = traffic(5, () => false).map((s) =>
    s.scheduledUnixMs >= 2000 && s.scheduledUnixMs < 3000 ? { ...s, ok: false, errorKind: "dns" as const, pod: "" } : s,
  );
  expectFailuresOnlyOfKind(record(dnsOutage), "dns");
  assert.throws(
    () => expectFailuresOnlyOfKind(record(dnsOutage), "timeout"),
    /every failed request of the steady traffic to have failed with timeout, but 10 of 10 failed otherwise \(dns=10; first: request 20 of c, \+0\.0 s after “a killed”\)/,
  );
  assert.throws(
    () => expectFailuresOnlyOfKind(record(traffic(2, () => false)), "dns"),
    /but all 20 requests succeeded/,
  );
});

test("a failure window limit fails when nothing failed: there was no window to measure", () => {
  const clean = record(traffic(2, () => false));
  assert.throws(
    () => expectLongestFailureWindow(clean, 3),
    /^SteadyTrafficError: expected the longest failure window of the steady traffic to last at most 3 s, but no request failed \(all 20 succeeded\), so there was no failure window to measure: the fault did not make the traffic fail\. If no failure is a correct outcome here, write "Then the steady traffic's longest failure window, if any, was at most 3 seconds" instead \(and say why in the feature\); if failing requests would be a defect, write "Then none of the steady traffic failed"\n {2}steady traffic to http:\/\/web: 20 requests, 0 failed \(none\); p99 2\.0 ms$/,
  );
  assert.throws(() => expectLongestFailureWindow(record([]), 3), /but it recorded none/);
});

test("the 'if any' window limit passes with no failure and says so; a window over the limit still fails", () => {
  assert.equal(
    expectLongestFailureWindowIfAny(record(traffic(2, () => false)), 3),
    "none failed: all 20 requests of the steady traffic to http://web succeeded, so there was no failure window (at most 3 s allowed)",
  );
  const failing = record(traffic(10, (t) => t >= 2000 && t < 5000));
  assert.equal(
    expectLongestFailureWindowIfAny(failing, 3),
    "longest failure window 2.90 s (30 of 30 requests in it failed: refused=30), from +0.0 s after “a killed” (at most 3 s allowed)",
  );
  assert.throws(
    () => expectLongestFailureWindowIfAny(failing, 2),
    /expected the longest failure window of the steady traffic, if any, to last at most 2 s, but it lasted 2\.90 s \(30 of 30/,
  );
  assert.throws(() => expectLongestFailureWindowIfAny(record([]), 3), /but it recorded none/);
});

test("an error budget is a percentage from 0 to 100, refused before the traffic is judged", () => {
  const failing = record(traffic(10, (t) => t >= 2000 && t < 3000));
  for (const percent of [150, -1, 100.5]) {
    assert.throws(
      () => expectErrorBudget(failing, percent),
      (error: Error) =>
        error instanceof UserError &&
        error.message ===
          `cannot check ${percent}% is not a percentage: a share lies from 0% to 100%\n  what to do: give a percentage from 0 to 100, e.g. Then at most 5% of the steady traffic failed.`,
    );
  }
  expectErrorBudget(failing, 100);
  assert.throws(() => expectErrorBudget(failing, 0), /but 10\.00% failed/);
});

test("latency checks: a percentile from p1 to p100, samples needed, both bounds can fail", () => {
  // Latencies 1..100 ms: p50 is 50 ms, p99 99 ms, p100 the slowest.
  const samples = traffic(10, () => false).map((s, i) => ({ ...s, latencyMs: i + 1 }));
  expectLatencyPercentile(record(samples), 50, 50);
  expectLatencyAtLeast(record(samples), 50, 50);
  expectLatencyPercentile(record(samples), 100, 100);
  assert.throws(
    () => expectLatencyPercentile(record(samples), 99, 98),
    /^SteadyTrafficError: expected the steady traffic's p99 latency to be at most 98 ms, but it was 99\.0 ms\n/,
  );
  assert.throws(
    () => expectLatencyAtLeast(record(samples), 50, 1000),
    /^SteadyTrafficError: expected the steady traffic's p50 latency to be at least 1000 ms, but it was 50\.0 ms\n/,
  );
  for (const p of [0, 101]) {
    assert.throws(
      () => expectLatencyPercentile(record(samples), p, 500),
      (error: Error) =>
        error instanceof UserError &&
        error.message.startsWith(
          `cannot check p${p} is not a percentile: a percentile is a whole number from p1 to p100 (p100 is the slowest request)\n  what to do: give a percentile from p1 to p100`,
        ),
    );
    assert.throws(() => expectLatencyAtLeast(record(samples), p, 1), UserError);
  }
  assert.throws(
    () => expectLatencyPercentile(record([]), 99, 500),
    /steady traffic to have sent requests, but it recorded none/,
  );
  assert.throws(() => expectLatencyAtLeast(record([]), 50, 0), /but it recorded none/);
});

test("a fault is active from its stamp to the undo of the same label, or to the end when not undone", () => {
  const stress: ChaosEvent = {
    atUnixMs: 3000,
    label: "web-1 burning 2 CPU cores",
    kind: "chaos",
    pods: [],
    fault: true,
  };
  const stopped: ChaosEvent = { atUnixMs: 7000, label: "node worker2 stopped", kind: "chaos", pods: [], fault: true };
  const undone: ChaosEvent = { atUnixMs: 6000, label: `undone: ${stress.label}`, kind: "undo", pods: [] };
  const note: ChaosEvent = { atUnixMs: 1000, label: "steady traffic started", kind: "note", pods: [] };
  assert.deepEqual(faultStretches([undone, note, stopped, stress, kill], 9000), [
    { label: stress.label, fromUnixMs: 3000, toUnixMs: 6000 },
    { label: stopped.label, fromUnixMs: 7000, toUnixMs: 9000 },
  ]);
});

test("latency while faults were active is judged as a ratio to the latency before the first fault", () => {
  const stress: ChaosEvent = { atUnixMs: 3000, label: "web-1 burning", kind: "chaos", pods: [], fault: true };
  const undone: ChaosEvent = { atUnixMs: 6000, label: "undone: web-1 burning", kind: "undo", pods: [] };
  // 2 ms before, 20 ms for every other request while the fault is active, 2 ms after.
  const slowed = traffic(9, () => false).map((s) =>
    s.scheduledUnixMs >= 3000 && s.scheduledUnixMs < 6000 && s.seq % 2 === 0 ? { ...s, latencyMs: 20 } : s,
  );
  assert.match(
    expectLatencyRatioWhileFaulted(record(slowed, [stress, undone]), 90, 5),
    /p90 20\.0 ms over 30 requests while faults were active, 2\.0 ms over 30 before them: 10\.0 times/,
  );
  // Over the whole run the slowed half of a third of the run does not move the median: the reason for the ratio.
  assert.throws(() => expectLatencyAtLeast(record(slowed, [stress, undone]), 50, 8), /it was 2\.0 ms/);
  assert.throws(
    () =>
      expectLatencyRatioWhileFaulted(
        record(
          traffic(9, () => false),
          [stress, undone],
        ),
        90,
        3,
      ),
    /at least 3 times that before them, but it was p90 2\.0 ms .*: 1\.0 times/,
  );
  assert.throws(
    () => expectLatencyRatioWhileFaulted(record(slowed, [kill]), 90, 3),
    /but no fault was applied while it ran/,
  );
  const early: ChaosEvent = { ...stress, atUnixMs: 500 };
  assert.throws(
    () => expectLatencyRatioWhileFaulted(record(slowed, [early, undone]), 90, 3),
    /there were 5 before and 55 during: let the steady traffic run longer/,
  );
});

test("killed pods must have answered the traffic before their kill; a kill of a pod it never reached fails", () => {
  // Pod "a" answers until it is killed at 2 s, "b" after that; "c" is killed at 3 s and never answered.
  const samples = traffic(
    5,
    () => false,
    (t) => (t < 2000 ? "a" : "b"),
  );
  const killA: ChaosEvent = { atUnixMs: 2000, label: "a killed", kind: "chaos", pods: ["a"], killed: true };
  assert.equal(
    expectKilledPodsServedBefore(record(samples, [killA])),
    "a: 20 answered before it was killed, the latest request started 0.099 s before the kill",
  );
  const killC: ChaosEvent = { atUnixMs: 3000, label: "c killed", kind: "chaos", pods: ["c"], killed: true };
  assert.throws(
    () => expectKilledPodsServedBefore(record(samples, [killA, killC])),
    /^SteadyTrafficError: expected every killed pod to have answered some of the steady traffic before it was killed \(so the kills were in its path\), but c answered none of it \(the traffic was answered by a, b\): kill pods of the Service the traffic goes to/,
  );
  // "b" answered only after the kill of "a" at 2 s: killed at 1 s it had served nothing before.
  const killBEarly: ChaosEvent = { atUnixMs: 1000, label: "b killed", kind: "chaos", pods: ["b"], killed: true };
  assert.throws(() => expectKilledPodsServedBefore(record(samples, [killBEarly])), /but b answered none of it/);
  // Neither an undo, nor a pod made unready, nor a kill before the traffic began counts as a kill of the traffic's.
  const undo: ChaosEvent = { atUnixMs: 1000, label: "undo", kind: "undo", pods: ["c"] };
  const unready: ChaosEvent = { atUnixMs: 1000, label: "c made unready", kind: "chaos", pods: ["c"] };
  const before: ChaosEvent = { atUnixMs: -500, label: "c killed", kind: "chaos", pods: ["c"], killed: true };
  assert.throws(
    () => expectKilledPodsServedBefore(record(samples, [undo, unready, before])),
    /but no pod was killed while it ran \(a pod made unready, or one killed before the traffic began, does not count\)/,
  );
});
