import type { TrafficResult } from "./client.ts";
import { describeDistribution, evenSplit, unexpectedPods } from "./statistics.ts";

/** Failure of a traffic expectation: expected vs. seen, with the distribution. */
export class TrafficExpectationError extends Error {
  constructor(expected: string, seen: string, result?: TrafficResult) {
    super(
      `expected ${expected}, but ${seen}${result ? ` (${result.summary.total} requests from ${result.client} to ${result.url}: ${describeDistribution(result.summary)})` : ""}`,
    );
    this.name = "TrafficExpectationError";
  }
}

export function expectAllSucceeded(result: TrafficResult): void {
  if (result.summary.failed > 0) {
    const first = result.probe.results.find((r) => !r.ok);
    throw new TrafficExpectationError(
      "every request to succeed",
      `${result.summary.failed} of ${result.summary.total} failed (first: ${first?.errorKind} ${first?.error})`,
      result,
    );
  }
}

/** A Service without ready endpoints is REJECTed by kube-proxy: the client sees "connection refused" at once. */
export function expectAllRefused(result: TrafficResult): void {
  const notRefused = result.probe.results.filter((r) => r.errorKind !== "refused");
  if (notRefused.length > 0) {
    throw new TrafficExpectationError(
      "every request to be refused (connection refused, not a timeout)",
      `${notRefused.length} of ${result.summary.total} were not refused (first: ${notRefused[0]!.ok ? `answered by ${notRefused[0]!.pod}` : `${notRefused[0]!.errorKind} ${notRefused[0]!.error}`})`,
      result,
    );
  }
}

export function expectEveryPodAnswered(result: TrafficResult, pods: readonly string[], minimum: number): void {
  const short = pods.filter((pod) => (result.summary.byPod[pod] ?? 0) < minimum);
  if (short.length > 0) {
    throw new TrafficExpectationError(
      `each of the ${pods.length} ready pods (${pods.join(", ")}) to answer at least ${minimum} requests`,
      `${short.map((p) => `${p} answered ${result.summary.byPod[p] ?? 0}`).join(", ")}`,
      result,
    );
  }
}

export function expectEvenSplit(result: TrafficResult, pods: readonly string[], tolerancePercent: number): void {
  const split = evenSplit(result.summary.byPod, pods);
  if (split.worstDeviationPercent > tolerancePercent) {
    throw new TrafficExpectationError(
      `an even split over ${pods.length} pods (${split.expected.toFixed(1)} each) within ${tolerancePercent}%`,
      `${split.worstPod} answered ${result.summary.byPod[split.worstPod] ?? 0}, ${split.worstDeviationPercent.toFixed(1)}% off`,
      result,
    );
  }
}

export function expectOnlyPods(result: TrafficResult, pods: readonly string[], owner: string): void {
  const strangers = unexpectedPods(result.summary.byPod, pods);
  if (strangers.length > 0 || result.summary.succeeded === 0) {
    throw new TrafficExpectationError(
      `only pods of ${owner} (${pods.join(", ")}) to answer`,
      strangers.length > 0 ? `${strangers.join(", ")} answered too` : "no request was answered",
      result,
    );
  }
}

export function expectSinglePod(result: TrafficResult): void {
  const pods = Object.keys(result.summary.byPod);
  if (pods.length !== 1 || result.summary.failed > 0) {
    throw new TrafficExpectationError(
      "every request to be answered by the same pod",
      `${pods.length} pods answered`,
      result,
    );
  }
}

export function expectAtLeastPods(result: TrafficResult, minimum: number): void {
  const pods = Object.keys(result.summary.byPod);
  if (pods.length < minimum) {
    throw new TrafficExpectationError(
      `the requests to be answered by at least ${minimum} different pods`,
      `only ${pods.length} answered`,
      result,
    );
  }
}

export function expectEachClientSticky(results: readonly TrafficResult[]): void {
  const wandering = results.filter((r) => Object.keys(r.summary.byPod).length !== 1 || r.summary.failed > 0);
  if (wandering.length > 0) {
    throw new TrafficExpectationError(
      "each client to be answered by a single pod",
      wandering.map((r) => `${r.client} was answered by ${describeDistribution(r.summary)}`).join("; "),
    );
  }
}
