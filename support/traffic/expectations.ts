import { UserError } from "../errors/user-error.ts";
import type { TrafficResult } from "./client.ts";
import { requirePercent } from "./percentages.ts";
import { describeDistribution, evenSplit, unexpectedPods } from "./statistics.ts";

/** Failure of a traffic expectation: expected vs. seen, with the distribution. */
export class TrafficExpectationError extends Error {
  constructor(expected: string, seen: string, result?: TrafficResult) {
    super(`expected ${expected}, but ${seen}${result ? ` (${describeTraffic(result)})` : ""}`);
    this.name = "TrafficExpectationError";
  }
}

/** "30 requests from client-0 to http://web: web-a=12, …", or "3 of 10 requests …" when some were not sent. */
function describeTraffic(result: TrafficResult): string {
  const recorded = result.summary.total;
  const count = recorded === result.requested ? `${recorded}` : `${recorded} of ${result.requested}`;
  return `${count} requests from ${result.client} to ${result.url}: ${describeDistribution(result.summary)}`;
}

/**
 * Why fewer requests were recorded than requested ("only 3 of 10 requests were sent: 7 were not sent because …"),
 * or undefined when every requested one was. A check over fewer requests than asked for proves less than it says:
 * requests cut off by the prober's time budget must not vanish from the verdict.
 */
export function describeMissingRequests(result: TrafficResult): string | undefined {
  const recorded = result.probe.results.length;
  if (recorded >= result.requested) return undefined;
  const { notSent } = result.probe;
  const unaccounted = result.requested - recorded - notSent;
  const reasons = [
    notSent > 0
      ? `${notSent} were not sent because the prober's time budget of ${(result.budgetMs / 1000).toFixed(1)} s ran out first (send fewer requests or allow more time)`
      : "",
    unaccounted > 0 ? `${unaccounted} are missing from the prober's answer (see the prober's log)` : "",
  ].filter(Boolean);
  return `only ${recorded} of ${result.requested} requests were sent: ${reasons.join("; ")}`;
}

/** Every traffic check starts here: it fails, naming its own expectation, when requests were not all sent. */
function expectAllRecorded(result: TrafficResult, expected: string): void {
  const missing = describeMissingRequests(result);
  if (missing) throw new TrafficExpectationError(expected, missing, result);
}

/** Every requested request was sent and answered with 2xx. */
export function expectAllSucceeded(result: TrafficResult): void {
  const expected = "every request to succeed";
  expectAllRecorded(result, expected);
  if (result.summary.failed > 0) {
    const first = result.probe.results.find((r) => !r.ok);
    throw new TrafficExpectationError(
      expected,
      `${result.summary.failed} of ${result.summary.total} failed (first: ${first?.errorKind} ${first?.error})`,
      result,
    );
  }
}

/** A Service without ready endpoints is REJECTed by kube-proxy: the client sees "connection refused" at once. */
export function expectAllRefused(result: TrafficResult): void {
  expectAllFailedAs(result, "refused", "refused", "every request to be refused (connection refused, not a timeout)");
}

/**
 * Every request timed out: nothing answered or refused it (kube-proxy's nftables mode drops traffic to a ClusterIP it
 * has no rules for, where iptables mode lets it through to be refused).
 */
export function expectAllTimedOut(result: TrafficResult): void {
  expectAllFailedAs(result, "timeout", "timed out", "every request to time out (unanswered, not refused)");
}

function expectAllFailedAs(result: TrafficResult, kind: string, said: string, expected: string): void {
  expectAllRecorded(result, expected);
  const others = result.probe.results.filter((r) => r.errorKind !== kind);
  if (others.length > 0) {
    const first = others[0]!;
    throw new TrafficExpectationError(
      expected,
      `${others.length} of ${result.summary.total} were not ${said} (first: ${first.ok ? `answered by ${first.pod}` : `${first.errorKind} ${first.error}`})`,
      result,
    );
  }
}

/**
 * Refuses to judge "every ready pod" of a backend that has none: a check over no pods would pass whatever the
 * traffic did. `owner` names the backend.
 */
function expectSomeReadyPods(result: TrafficResult, pods: readonly string[], owner: string, expected: string): void {
  if (pods.length === 0) {
    throw new TrafficExpectationError(
      expected,
      `${owner} had no ready pod when the answers were judged, so there was nothing to judge (wait for its pods first, e.g. Then within 30 seconds the Service "${owner}" has 2 ready endpoints)`,
      result,
    );
  }
}

/** Each of `pods` (the ready pods of `owner`, at least one) answered at least `minimum` (1 or more) of the requests. */
export function expectEveryPodAnswered(
  result: TrafficResult,
  pods: readonly string[],
  minimum: number,
  owner: string,
): void {
  if (!Number.isInteger(minimum) || minimum < 1) {
    throw new UserError(
      `cannot check that every ready pod of ${owner} answered at least ${minimum} request(s): a pod that answered none would pass`,
      `give 1 or more, e.g. Then every ready pod of "${owner}" answered at least 20 requests.`,
    );
  }
  const expected =
    pods.length === 0
      ? `every ready pod of ${owner} to answer at least ${minimum} requests`
      : `each of the ${pods.length} ready pods of ${owner} (${pods.join(", ")}) to answer at least ${minimum} requests`;
  expectAllRecorded(result, expected);
  expectSomeReadyPods(result, pods, owner, expected);
  const short = pods.filter((pod) => (result.summary.byPod[pod] ?? 0) < minimum);
  if (short.length > 0) {
    throw new TrafficExpectationError(
      expected,
      `${short.map((p) => `${p} answered ${result.summary.byPod[p] ?? 0}`).join(", ")}`,
      result,
    );
  }
}

/**
 * No pod of `pods` (the ready pods of `owner`, at least one) is more than `tolerancePercent` (0 to 100) away from
 * an even share (silent pods count as 0), and they answered at least one request between them.
 */
export function expectEvenSplit(
  result: TrafficResult,
  pods: readonly string[],
  tolerancePercent: number,
  owner: string,
): void {
  requirePercent(tolerancePercent, `Then the requests split evenly over the ready pods of "${owner}" within 45%`);
  const split = evenSplit(result.summary.byPod, pods);
  const expected =
    pods.length === 0
      ? `an even split over the ready pods of ${owner} within ${tolerancePercent}%`
      : `an even split over the ${pods.length} ready pods of ${owner} (${split.expected.toFixed(1)} each) within ${tolerancePercent}%`;
  expectAllRecorded(result, expected);
  expectSomeReadyPods(result, pods, owner, expected);
  if (split.expected === 0) {
    throw new TrafficExpectationError(
      expected,
      `none of them (${pods.join(", ")}) answered a request, so there was no split to judge`,
      result,
    );
  }
  if (split.worstDeviationPercent > tolerancePercent) {
    throw new TrafficExpectationError(
      expected,
      `${split.worstPod} answered ${result.summary.byPod[split.worstPod] ?? 0}, ${split.worstDeviationPercent.toFixed(1)}% off`,
      result,
    );
  }
}

/** Only `pods` answered, and at least one request was answered. */
export function expectOnlyPods(result: TrafficResult, pods: readonly string[], owner: string): void {
  const expected = `only pods of ${owner} (${pods.join(", ")}) to answer`;
  expectAllRecorded(result, expected);
  const strangers = unexpectedPods(result.summary.byPod, pods);
  if (strangers.length > 0 || result.summary.succeeded === 0) {
    throw new TrafficExpectationError(
      expected,
      strangers.length > 0 ? `${strangers.join(", ")} answered too` : "no request was answered",
      result,
    );
  }
}

/**
 * Why one client's requests did not stick to one pod, or undefined when they did. kube-proxy records ClientIP
 * affinity per connection, from its first packet (iptables' `recent` match), so connections opened at the same
 * moment, before any is recorded, may each pick a pod; later ones then follow one of those. So the requests started
 * after the first answer arrived must all reach one pod, and it must be one that answered a request started before.
 * (Kubernetes' own e2e affinity check likewise judges only its last 15 answers.)
 */
export function stickinessProblem(result: TrafficResult): string | undefined {
  const answered = result.probe.results.filter((r) => r.ok);
  if (answered.length === 0) return "no request was answered";
  const firstAnswerAt = Math.min(...answered.map((r) => r.startUnixMs + r.durationMs));
  const podsOf = (requests: typeof answered) => [...new Set(requests.map((r) => r.pod))];
  const firstPods = podsOf(answered.filter((r) => r.startUnixMs < firstAnswerAt));
  const laterPods = podsOf(answered.filter((r) => r.startUnixMs >= firstAnswerAt));
  if (laterPods.length > 1) {
    return `${laterPods.length} pods answered the requests started after the first answer (${laterPods.join(", ")})`;
  }
  const [stuckTo] = laterPods;
  if (stuckTo !== undefined && !firstPods.includes(stuckTo)) {
    return `${stuckTo} answered after the first answer came from ${firstPods.join(", ")}`;
  }
  if (stuckTo === undefined && firstPods.length > 1) return `${firstPods.length} pods answered`;
  return undefined;
}

/** Stickiness: none failed, and every request reached the same pod (see {@link stickinessProblem}). */
export function expectSinglePod(result: TrafficResult): void {
  const expected = "every request to be answered by the same pod";
  expectAllRecorded(result, expected);
  const problems = stickyClientProblems(result);
  if (problems) throw new TrafficExpectationError(expected, problems, result);
}

/** A client's stickiness problem and its failed requests, joined ("… and 1 failed (…)"), or undefined. */
function stickyClientProblems(result: TrafficResult): string | undefined {
  const problems = [stickinessProblem(result), failedCount(result)].filter(Boolean);
  return problems.length > 0 ? problems.join(" and ") : undefined;
}

/** "1 failed (first: timeout …, request 7 of 30)": the error text tells a lost SYN from a slow answer. */
function failedCount(result: TrafficResult): string | undefined {
  const first = result.probe.results.find((r) => !r.ok);
  if (!first) return undefined;
  const where = `request ${first.seq + 1} of ${result.probe.results.length}`;
  return `${result.summary.failed} failed (first: ${first.errorKind} ${first.error}, ${where})`;
}

/** Spread: at least `minimum` (1 or more) different pods answered. */
export function expectAtLeastPods(result: TrafficResult, minimum: number): void {
  if (!Number.isInteger(minimum) || minimum < 1) {
    throw new UserError(
      `cannot check that the requests were answered by at least ${minimum} different pod(s): traffic that no pod answered would pass`,
      "give 1 or more, e.g. Then the requests were answered by at least 2 different pods.",
    );
  }
  const expected = `the requests to be answered by at least ${minimum} different pods`;
  expectAllRecorded(result, expected);
  const pods = Object.keys(result.summary.byPod);
  if (pods.length < minimum) {
    throw new TrafficExpectationError(expected, `only ${pods.length} answered`, result);
  }
}

/**
 * Per-client stickiness: there was at least one client, and each client's requests were all answered, by a single
 * pod (as {@link expectSinglePod}).
 */
export function expectEachClientSticky(results: readonly TrafficResult[]): void {
  const expected = "each client to be answered by a single pod";
  if (results.length === 0) {
    throw new UserError(
      `expected ${expected}, but no client sent a request in this scenario yet, so there was nothing to judge`,
      'send traffic first, e.g. When 3 client pods each send 20 requests to "http://web".',
    );
  }
  for (const result of results) expectAllRecorded(result, expected);
  const wandering = results.flatMap((r) => {
    const problems = stickyClientProblems(r);
    return problems ? [`${r.client}: ${problems} (${describeDistribution(r.summary)})`] : [];
  });
  if (wandering.length > 0) throw new TrafficExpectationError(expected, wandering.join("; "));
}
