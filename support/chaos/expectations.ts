import { requirePercent, requirePercentile } from "../traffic/percentages.ts";
import type { ChaosEvent } from "./chaos-log.ts";
import {
  answersFromGonePods,
  describeKinds,
  type FailureWindow,
  failedPercent,
  failureWindows,
  latencyPercentile,
  relativeToEvents,
  type TrafficSample,
} from "./verdicts.ts";

/** What the steady traffic saw, with what the chaos did meanwhile. */
export interface SteadyTrafficRecord {
  readonly url: string;
  readonly samples: readonly TrafficSample[];
  readonly startedAtUnixMs: number;
  readonly events: readonly ChaosEvent[];
}

/** A steady-traffic expectation that did not hold: expected vs. seen, and the figures to look at. */
export class SteadyTrafficError extends Error {
  constructor(expected: string, seen: string, record: SteadyTrafficRecord) {
    super(`expected ${expected}, but ${seen}\n  ${summarizeRecord(record)}`);
    this.name = "SteadyTrafficError";
    // The figures say what happened; our call stack would not help a QA engineer (KUBEQUAKE_VERBOSE=1 keeps it).
    if (!process.env.KUBEQUAKE_VERBOSE) this.stack = `${this.name}: ${this.message}`;
  }
}

/** One line of figures: requests, failures by kind, the longest failure window and where it lay. */
export function summarizeRecord(record: SteadyTrafficRecord): string {
  const failed = record.samples.filter((s) => !s.ok);
  const kinds: Record<string, number> = {};
  for (const sample of failed) kinds[sample.errorKind || "other"] = (kinds[sample.errorKind || "other"] ?? 0) + 1;
  const [longest] = failureWindows(record.samples);
  const window = longest
    ? `; longest failure window ${((longest.endUnixMs - longest.startUnixMs) / 1000).toFixed(2)} s from ${relativeToEvents(longest.startUnixMs, record.events, record.startedAtUnixMs)}`
    : "";
  return `steady traffic to ${record.url}: ${record.samples.length} requests, ${failed.length} failed (${describeKinds(kinds)})${window}; p99 ${latencyPercentile(record.samples, 99).toFixed(1)} ms`;
}

function requireSamples(record: SteadyTrafficRecord): void {
  if (record.samples.length === 0) {
    throw new SteadyTrafficError("steady traffic to have sent requests", "it recorded none", record);
  }
}

/** The error budget: at most `percent` % (0 to 100) of the requests failed. */
export function expectErrorBudget(record: SteadyTrafficRecord, percent: number): void {
  requirePercent(percent, "Then at most 5% of the steady traffic failed");
  requireSamples(record);
  const failed = failedPercent(record.samples);
  if (failed > percent) {
    throw new SteadyTrafficError(
      `at most ${percent}% of the steady traffic to fail`,
      `${failed.toFixed(2)}% failed (${record.samples.filter((s) => !s.ok).length} of ${record.samples.length})`,
      record,
    );
  }
}

/** Some requests failed: for scenarios that show a real failure window rather than hide it. */
export function expectSomeFailures(record: SteadyTrafficRecord): void {
  requireSamples(record);
  if (record.samples.every((s) => s.ok)) {
    throw new SteadyTrafficError(
      "some of the steady traffic to fail (the scenario shows a failure window)",
      `all ${record.samples.length} requests succeeded`,
      record,
    );
  }
}

/**
 * The longest stretch of failures lasted at most `seconds`, and there was one: a fault that must make requests fail
 * (a SIGKILL, a SIGTERM without a drain, a lost worker) is not judged by a bound that nothing reached. When no
 * request failed this fails, pointing to {@link expectLongestFailureWindowIfAny} for faults that may be seamless.
 */
export function expectLongestFailureWindow(record: SteadyTrafficRecord, seconds: number): void {
  requireSamples(record);
  const expected = `the longest failure window of the steady traffic to last at most ${seconds} s`;
  if (record.samples.every((s) => s.ok)) {
    throw new SteadyTrafficError(
      expected,
      `no request failed (all ${record.samples.length} succeeded), so there was no failure window to measure: the fault did not make the traffic fail. If no failure is a correct outcome here, write "Then the steady traffic's longest failure window, if any, was at most ${seconds} second${seconds === 1 ? "" : "s"}" instead (and say why in the feature); if failing requests would be a defect, write "Then none of the steady traffic failed"`,
      record,
    );
  }
  checkLongestWindow(record, expected, seconds);
}

/**
 * The longest stretch of failures, if there was one, lasted at most `seconds`: for faults after which no failure at
 * all is a correct outcome (a failover that can be seamless). Returns what was judged, for the report: the window,
 * or that none failed, so a seamless pass is said rather than silent.
 */
export function expectLongestFailureWindowIfAny(record: SteadyTrafficRecord, seconds: number): string {
  requireSamples(record);
  if (record.samples.every((s) => s.ok)) {
    return `none failed: all ${record.samples.length} requests of the steady traffic to ${record.url} succeeded, so there was no failure window (at most ${seconds} s allowed)`;
  }
  const longest = checkLongestWindow(
    record,
    `the longest failure window of the steady traffic, if any, to last at most ${seconds} s`,
    seconds,
  );
  return `longest failure window ${describeWindow(longest, record)} (at most ${seconds} s allowed)`;
}

function checkLongestWindow(record: SteadyTrafficRecord, expected: string, seconds: number): FailureWindow {
  const [longest] = failureWindows(record.samples);
  if (!longest) throw new Error("a failed request makes a failure window: failureWindows found none");
  if ((longest.endUnixMs - longest.startUnixMs) / 1000 > seconds) {
    throw new SteadyTrafficError(expected, `it lasted ${describeWindow(longest, record)}`, record);
  }
  return longest;
}

/** "2.90 s (30 of 30 requests in it failed: refused=30), from +0.0 s after “a killed”" */
function describeWindow(window: FailureWindow, record: SteadyTrafficRecord): string {
  return `${((window.endUnixMs - window.startUnixMs) / 1000).toFixed(2)} s (${window.failed} of ${window.requests} requests in it failed: ${describeKinds(window.errorKinds)}), from ${relativeToEvents(window.startUnixMs, record.events, record.startedAtUnixMs)}`;
}

/** No request started after a pod was gone was answered by that pod. */
export function expectNoAnswerFromGonePods(
  record: SteadyTrafficRecord,
  goneAtUnixMs: ReadonlyMap<string, number>,
): void {
  requireSamples(record);
  const killedPods = record.events.flatMap((e) => e.pods);
  if (killedPods.length === 0) {
    throw new SteadyTrafficError(
      "a pod to have been killed while the steady traffic ran (this check compares answers with kill times)",
      "no pod was killed in this scenario",
      record,
    );
  }
  const ghosts = answersFromGonePods(record.samples, goneAtUnixMs);
  if (ghosts.length > 0) {
    const first = ghosts[0]!;
    throw new SteadyTrafficError(
      "no request to be answered by a pod after it was gone",
      `${ghosts.length} ${ghosts.length === 1 ? "was" : "were"} (first: request ${first.seq} of ${first.client} started ${((first.startUnixMs - goneAtUnixMs.get(first.pod)!) / 1000).toFixed(3)} s after ${first.pod} was gone, and ${first.pod} answered it)`,
      record,
    );
  }
}

/** A latency percentile (from the scheduled time, failures included) stayed within `ms`. */
export function expectLatencyPercentile(record: SteadyTrafficRecord, p: number, ms: number): void {
  requirePercentile(p, "Then the steady traffic's p99 latency was at most 500 ms");
  requireSamples(record);
  const seen = latencyPercentile(record.samples, p);
  if (seen > ms) {
    throw new SteadyTrafficError(
      `the steady traffic's p${p} latency to be at most ${ms} ms`,
      `it was ${seen.toFixed(1)} ms`,
      record,
    );
  }
}

/** A latency percentile reached at least `ms` (added latency really was in the path). */
export function expectLatencyAtLeast(record: SteadyTrafficRecord, p: number, ms: number): void {
  requirePercentile(p, "Then the steady traffic's p50 latency was at least 300 ms");
  requireSamples(record);
  const seen = latencyPercentile(record.samples, p);
  if (seen < ms) {
    throw new SteadyTrafficError(
      `the steady traffic's p${p} latency to be at least ${ms} ms`,
      `it was ${seen.toFixed(1)} ms`,
      record,
    );
  }
}
