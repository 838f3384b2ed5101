import { requirePercent, requirePercentile } from "../traffic/percentages.ts";
import type { ChaosEvent } from "./chaos-log.ts";
import {
  answersAfterStop,
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
export function expectErrorBudget(record: SteadyTrafficRecord, percent: number): string {
  requirePercent(percent, "Then at most 5% of the steady traffic failed");
  requireSamples(record);
  const failed = failedPercent(record.samples);
  const measured = `${failed.toFixed(2)}% failed (${record.samples.filter((s) => !s.ok).length} of ${record.samples.length})`;
  if (failed > percent) {
    throw new SteadyTrafficError(`at most ${percent}% of the steady traffic to fail`, measured, record);
  }
  return `${measured}; at most ${percent}% allowed`;
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

/**
 * No killed pod answered a request after it was killed: none accepted a connection after it had been told to stop
 * (its own SIGTERM mark, see {@link answersAfterStop}), and none answered a request started after its object was gone.
 * With `graceSeconds`, answers up to that long after the signal are allowed (a backend that drains on shutdown is
 * meant to keep serving while the endpoint change spreads), later ones are not.
 */
export function expectNoAnswerAfterKill(
  record: SteadyTrafficRecord,
  goneAtUnixMs: ReadonlyMap<string, number>,
  graceSeconds?: number,
): void {
  requireSamples(record);
  const killed = new Set(record.events.flatMap((e) => e.pods));
  if (killed.size === 0) {
    throw new SteadyTrafficError(
      "a pod to have been killed while the steady traffic ran (this check compares answers with kill times)",
      "no pod was killed in this scenario",
      record,
    );
  }
  const grace = graceSeconds === undefined ? "" : ` more than ${graceSeconds} s`;
  const expected = `no request to be answered by a pod${grace} after it was killed`;
  const told = answersAfterStop(record.samples, killed, graceSeconds === undefined ? -1 : graceSeconds * 1000);
  if (told.length > 0) {
    const first = told[0]!;
    const latest = Math.max(...told.map((s) => s.afterStopMs!));
    throw new SteadyTrafficError(
      expected,
      `${told.length} ${told.length === 1 ? "was" : "were"}, by the pods' own account (first: request ${first.seq} of ${first.client}, answered by ${first.pod} on a connection it accepted ${(first.afterStopMs! / 1000).toFixed(3)} s after it was told to stop (SIGTERM); the latest such answer came ${(latest / 1000).toFixed(3)} s after). A backend that keeps serving after SIGTERM (a drain window, a preStop delay) does this by design: state the drain with "more than N seconds after it was killed", or make the backend stop accepting at SIGTERM`,
      record,
    );
  }
  const ghosts = answersFromGonePods(record.samples, goneAtUnixMs);
  if (ghosts.length > 0) {
    const first = ghosts[0]!;
    throw new SteadyTrafficError(
      expected,
      `${ghosts.length} ${ghosts.length === 1 ? "was" : "were"} (first: request ${first.seq} of ${first.client} started ${((first.startUnixMs - goneAtUnixMs.get(first.pod)!) / 1000).toFixed(3)} s after ${first.pod} was gone, and ${first.pod} answered it)`,
      record,
    );
  }
}

/**
 * Every pod a chaos event killed had answered the steady traffic before its kill: the kills hit pods in the traffic's
 * path, so checks that pass when little or nothing failed (a race the pods may win) still say something happened.
 * Returns one line per killed pod, its answers before the kill and the latest one's distance from it, for the report.
 */
export function expectKilledPodsServedBefore(record: SteadyTrafficRecord): string {
  requireSamples(record);
  // Kills while the traffic ran: a pod made unready, or killed before the traffic began, says nothing of its path.
  const killedAt = new Map<string, number>();
  for (const event of record.events) {
    if (!event.killed || event.atUnixMs < record.startedAtUnixMs) continue;
    for (const pod of event.pods) if (!killedAt.has(pod)) killedAt.set(pod, event.atUnixMs);
  }
  if (killedAt.size === 0) {
    throw new SteadyTrafficError(
      "a pod to have been killed while the steady traffic ran (this check compares answers with kill times)",
      "no pod was killed while it ran (a pod made unready, or one killed before the traffic began, does not count)",
      record,
    );
  }
  const lines: string[] = [];
  const idle: string[] = [];
  for (const [pod, atUnixMs] of killedAt) {
    const before = record.samples.filter((s) => s.ok && s.pod === pod && s.startUnixMs < atUnixMs);
    if (before.length === 0) {
      idle.push(pod);
      continue;
    }
    const latest = Math.max(...before.map((s) => s.startUnixMs));
    lines.push(
      `${pod}: ${before.length} answered before it was killed, the latest request started ${((atUnixMs - latest) / 1000).toFixed(3)} s before the kill`,
    );
  }
  if (idle.length > 0) {
    const answering = [...new Set(record.samples.filter((s) => s.ok).map((s) => s.pod))].sort();
    throw new SteadyTrafficError(
      "every killed pod to have answered some of the steady traffic before it was killed (so the kills were in its path)",
      `${idle.join(", ")} answered none of it (the traffic was answered by ${answering.join(", ") || "no pod"}): kill pods of the Service the traffic goes to`,
      record,
    );
  }
  return lines.join("\n");
}

/**
 * Every failed request failed with `kind` (refused, reset, timeout, dns, blocked, http, other), and at least one
 * failed: says what a fault does to the traffic (a DNS outage fails lookups, not connections).
 */
export function expectFailuresOnlyOfKind(record: SteadyTrafficRecord, kind: string): void {
  requireSamples(record);
  const failed = record.samples.filter((s) => !s.ok);
  if (failed.length === 0) {
    throw new SteadyTrafficError(
      `some of the steady traffic to fail with ${kind}`,
      `all ${record.samples.length} requests succeeded`,
      record,
    );
  }
  const others = failed.filter((s) => (s.errorKind || "other") !== kind);
  if (others.length > 0) {
    const kinds: Record<string, number> = {};
    for (const sample of others) kinds[sample.errorKind || "other"] = (kinds[sample.errorKind || "other"] ?? 0) + 1;
    const first = others[0]!;
    throw new SteadyTrafficError(
      `every failed request of the steady traffic to have failed with ${kind}`,
      `${others.length} of ${failed.length} failed otherwise (${describeKinds(kinds)}; first: request ${first.seq} of ${first.client}, ${relativeToEvents(first.scheduledUnixMs, record.events, record.startedAtUnixMs)})`,
      record,
    );
  }
}

/**
 * One line on the answers killed pods gave after they were told to stop: how many, and the latest, for the report
 * (a drain window is then a measured figure, not a claim).
 */
export function describeAnswersAfterKill(record: SteadyTrafficRecord): string {
  const killed = new Set(record.events.flatMap((e) => e.pods));
  const told = answersAfterStop(record.samples, killed);
  if (told.length === 0)
    return `no killed pod (${[...killed].join(", ") || "none"}) answered after it was told to stop`;
  const latest = Math.max(...told.map((s) => s.afterStopMs!));
  return `${told.length} of ${record.samples.length} requests were answered by killed pods after they were told to stop (SIGTERM), the latest ${(latest / 1000).toFixed(3)} s after; killed: ${[...killed].join(", ")}`;
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

/** A stretch of the steady traffic while a fault was active: from the fault's stamp to its undo's, or to the end. */
export interface FaultStretch {
  readonly label: string;
  readonly fromUnixMs: number;
  readonly toUnixMs: number;
}

/**
 * The stretches during which faults were active: each fault until the undo of the same label ("undone: …"), or until
 * `endUnixMs` when it was not undone yet. One-off actions (a kill, a manifest applied) are not faults.
 */
export function faultStretches(events: readonly ChaosEvent[], endUnixMs: number): FaultStretch[] {
  const ordered = [...events].sort((a, b) => a.atUnixMs - b.atUnixMs);
  return ordered
    .filter((e) => e.kind === "chaos" && e.fault)
    .map((fault) => {
      const undo = ordered.find(
        (e) => e.kind === "undo" && e.atUnixMs >= fault.atUnixMs && e.label === `undone: ${fault.label}`,
      );
      return { label: fault.label, fromUnixMs: fault.atUnixMs, toUnixMs: undo?.atUnixMs ?? endUnixMs };
    });
}

/**
 * A latency percentile of the requests scheduled while a fault was active, compared with the same percentile before
 * the first fault, as a ratio (returns the figures judged): two figures measured in one run on the same machine, so its noise cancels out (an
 * absolute figure over the whole run moved with the share of the run the fault lasted and with the machine's load).
 */
export function expectLatencyRatioWhileFaulted(record: SteadyTrafficRecord, p: number, times: number): string {
  const example =
    "Then the steady traffic's p90 latency while faults were active was at least 3 times that before them";
  requirePercentile(p, example);
  requireSamples(record);
  const end = Math.max(...record.samples.map((s) => s.scheduledUnixMs)) + 1;
  const stretches = faultStretches(record.events, end);
  if (stretches.length === 0) {
    throw new SteadyTrafficError(
      "a fault during the steady traffic, to compare the latency while it was active with the latency before it",
      "no fault was applied while it ran",
      record,
    );
  }
  const firstFault = Math.min(...stretches.map((s) => s.fromUnixMs));
  const before = record.samples.filter((s) => s.scheduledUnixMs < firstFault);
  const during = record.samples.filter((s) =>
    stretches.some((f) => s.scheduledUnixMs >= f.fromUnixMs && s.scheduledUnixMs < f.toUnixMs),
  );
  const minimum = 20;
  if (before.length < minimum || during.length < minimum) {
    throw new SteadyTrafficError(
      `at least ${minimum} requests before the first fault and ${minimum} while faults were active, to compare their p${p} latency`,
      `there were ${before.length} before and ${during.length} during: let the steady traffic run longer before the fault (When the steady traffic runs for 5 more seconds) or keep the fault longer`,
      record,
    );
  }
  const seenBefore = latencyPercentile(before, p);
  const seenDuring = latencyPercentile(during, p);
  const ratio = seenDuring / Math.max(seenBefore, 0.001);
  const figures = `p${p} ${seenDuring.toFixed(1)} ms over ${during.length} requests while faults were active, ${seenBefore.toFixed(1)} ms over ${before.length} before them: ${ratio.toFixed(1)} times`;
  if (ratio < times) {
    throw new SteadyTrafficError(
      `the steady traffic's p${p} latency while faults were active to be at least ${times} times that before them`,
      `it was ${figures}`,
      record,
    );
  }
  return figures;
}
