/** The fields of one request's outcome that the statistics need (a prober result satisfies it). */
export interface RequestOutcome {
  readonly ok: boolean;
  readonly pod: string;
  readonly errorKind: string;
  readonly startUnixMs: number;
  readonly durationMs: number;
}

export interface TrafficSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed requests per error kind (refused, timeout, dns, reset, http, blocked, other). */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Successful requests per answering pod, pods sorted by name. */
  readonly byPod: Readonly<Record<string, number>>;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

/** Counts outcomes per pod and per error kind, and latency percentiles of all requests (milliseconds). */
export function summarize(outcomes: readonly RequestOutcome[]): TrafficSummary {
  const byPod: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.ok) byPod[outcome.pod] = (byPod[outcome.pod] ?? 0) + 1;
    else errorKinds[outcome.errorKind || "other"] = (errorKinds[outcome.errorKind || "other"] ?? 0) + 1;
  }
  const durations = outcomes.map((o) => o.durationMs);
  const succeeded = outcomes.filter((o) => o.ok).length;
  return {
    total: outcomes.length,
    succeeded,
    failed: outcomes.length - succeeded,
    errorKinds,
    byPod: Object.fromEntries(Object.entries(byPod).sort(([a], [b]) => a.localeCompare(b))),
    latencyMs: {
      p50: percentile(durations, 50),
      p90: percentile(durations, 90),
      p99: percentile(durations, 99),
      max: durations.length === 0 ? 0 : Math.max(...durations),
    },
  };
}

/** Nearest-rank percentile (p in 0..100) of `values`; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * How far the per-pod counts are from an even split over `pods` (pods that answered nothing count as 0).
 * `worstDeviationPercent` is the largest |count − expected| as a percentage of the expected share.
 */
export function evenSplit(byPod: Readonly<Record<string, number>>, pods: readonly string[]) {
  const total = pods.reduce((sum, pod) => sum + (byPod[pod] ?? 0), 0);
  const expected = pods.length === 0 ? 0 : total / pods.length;
  let worstPod = "";
  let worstDeviationPercent = 0;
  for (const pod of pods) {
    const deviation = expected === 0 ? 0 : (Math.abs((byPod[pod] ?? 0) - expected) / expected) * 100;
    if (deviation > worstDeviationPercent || worstPod === "") {
      worstDeviationPercent = deviation;
      worstPod = pod;
    }
  }
  return { expected, worstPod, worstDeviationPercent };
}

/** Pods that answered although they are not in `allowed`. */
export function unexpectedPods(byPod: Readonly<Record<string, number>>, allowed: readonly string[]): string[] {
  return Object.keys(byPod).filter((pod) => !allowed.includes(pod));
}

/** A text table of the per-pod distribution with bars, for report attachments. */
export function formatDistribution(summary: TrafficSummary): string {
  const width = 40;
  const max = Math.max(1, ...Object.values(summary.byPod));
  const name = Math.max(3, ...Object.keys(summary.byPod).map((p) => p.length));
  const rows = Object.entries(summary.byPod).map(([pod, count]) => {
    const share = summary.total === 0 ? 0 : (count / summary.total) * 100;
    return `${pod.padEnd(name)}  ${String(count).padStart(6)}  ${share.toFixed(1).padStart(5)}%  ${"█".repeat(Math.round((count / max) * width))}`;
  });
  const failures = Object.entries(summary.errorKinds).map(([kind, count]) => `${kind}: ${count}`);
  return [
    `${summary.total} requests, ${summary.succeeded} succeeded, ${summary.failed} failed${failures.length ? ` (${failures.join(", ")})` : ""}`,
    `latency p50 ${summary.latencyMs.p50.toFixed(1)} ms, p90 ${summary.latencyMs.p90.toFixed(1)} ms, p99 ${summary.latencyMs.p99.toFixed(1)} ms, max ${summary.latencyMs.max.toFixed(1)} ms`,
    "",
    `${"pod".padEnd(name)}  ${"count".padStart(6)}  ${"share".padStart(6)}`,
    ...rows,
  ].join("\n");
}

/** Short one-line form of a distribution for failure messages: "web-a=40, web-b=35, refused=2". */
export function describeDistribution(summary: TrafficSummary): string {
  const parts = [
    ...Object.entries(summary.byPod).map(([pod, count]) => `${pod}=${count}`),
    ...Object.entries(summary.errorKinds).map(([kind, count]) => `${kind}=${count}`),
  ];
  return parts.length === 0 ? "no requests" : parts.join(", ");
}
