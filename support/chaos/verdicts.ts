import { percentile } from "../traffic/statistics.ts";
import type { ChaosEvent } from "./chaos-log.ts";

/** One request of the steady traffic, as the load engine recorded it. Times in Unix epoch milliseconds. */
export interface TrafficSample {
  readonly client: string;
  readonly seq: number;
  /** When the open-loop schedule said the request should start. */
  readonly scheduledUnixMs: number;
  readonly startUnixMs: number;
  /** From the scheduled time to the answer (or the error): waiting for a busy client counts (no coordinated omission). */
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly status: number;
  /** "" when ok; refused, reset, timeout, dns, blocked, http or other. */
  readonly errorKind: string;
  /** The pod that answered ("" when none did). */
  readonly pod: string;
  /**
   * Set when the answering pod had already been told to stop (SIGTERM) when it accepted the request's connection: how
   * long before, in milliseconds, by the pod's own clock (the demo backend marks its answers so; other servers do not).
   */
  readonly afterStopMs?: number;
}

/** A stretch of time in which the steady traffic's requests failed. */
export interface FailureWindow {
  readonly startUnixMs: number;
  readonly endUnixMs: number;
  readonly failed: number;
  /** Every request scheduled within the window, failed or not (when only some pods fail, others still answer). */
  readonly requests: number;
  readonly errorKinds: Readonly<Record<string, number>>;
}

/**
 * Stretches of time in which requests failed: failures less than `mergeGapMs` apart (by scheduled time) belong to
 * one window, which runs from the first one's scheduled time to the last one's end (its error or timeout). When a
 * killed pod takes a third of the traffic down, its window is the time that third failed, even though the other
 * pods' answers are interleaved. Longest first.
 */
export function failureWindows(samples: readonly TrafficSample[], mergeGapMs = 1000): FailureWindow[] {
  const ordered = [...samples].sort((a, b) => a.scheduledUnixMs - b.scheduledUnixMs);
  const windows: {
    start: number;
    lastScheduled: number;
    end: number;
    failed: number;
    kinds: Record<string, number>;
  }[] = [];
  for (const sample of ordered) {
    if (sample.ok) continue;
    const open = windows.at(-1);
    const kind = sample.errorKind || "other";
    if (open && sample.scheduledUnixMs - open.lastScheduled < mergeGapMs) {
      open.lastScheduled = sample.scheduledUnixMs;
      open.end = Math.max(open.end, sample.scheduledUnixMs + sample.latencyMs);
      open.failed += 1;
      open.kinds[kind] = (open.kinds[kind] ?? 0) + 1;
    } else {
      windows.push({
        start: sample.scheduledUnixMs,
        lastScheduled: sample.scheduledUnixMs,
        end: sample.scheduledUnixMs + sample.latencyMs,
        failed: 1,
        kinds: { [kind]: 1 },
      });
    }
  }
  return windows
    .map((w) => ({
      startUnixMs: w.start,
      endUnixMs: w.end,
      failed: w.failed,
      requests: ordered.filter((s) => s.scheduledUnixMs >= w.start && s.scheduledUnixMs <= w.lastScheduled).length,
      errorKinds: w.kinds,
    }))
    .sort((a, b) => b.endUnixMs - b.startUnixMs - (a.endUnixMs - a.startUnixMs));
}

/**
 * Successful answers from `pods` given on connections they accepted after they had been told to stop (SIGTERM), by
 * the pods' own mark, so no clock is compared across machines; `moreThanMs` keeps only those that came later than
 * that after the signal (a drain window's bound).
 */
export function answersAfterStop(
  samples: readonly TrafficSample[],
  pods: ReadonlySet<string>,
  moreThanMs = -1,
): TrafficSample[] {
  return samples.filter((s) => s.ok && pods.has(s.pod) && s.afterStopMs !== undefined && s.afterStopMs > moreThanMs);
}

/**
 * Successful answers from a pod after that pod was gone (its object deleted: the container had exited). Weaker than
 * {@link answersAfterStop} (a graceful kill's pod disappears only after its containers died, so a pod that serves on
 * after SIGTERM passes it); it still catches a kill that did not happen, and servers that do not mark their answers.
 */
export function answersFromGonePods(
  samples: readonly TrafficSample[],
  goneAtUnixMs: ReadonlyMap<string, number>,
): TrafficSample[] {
  return samples.filter((s) => {
    const gone = goneAtUnixMs.get(s.pod);
    return s.ok && gone !== undefined && s.startUnixMs > gone;
  });
}

/** Share of failed requests, in percent (0 for no requests). */
export function failedPercent(samples: readonly TrafficSample[]): number {
  return samples.length === 0 ? 0 : (samples.filter((s) => !s.ok).length / samples.length) * 100;
}

/** A latency percentile of all requests (failed ones too: a timeout is a slow answer), from the scheduled time. */
export function latencyPercentile(samples: readonly TrafficSample[], p: number): number {
  return percentile(
    samples.map((s) => s.latencyMs),
    p,
  );
}

/** "+3.2 s after “1 pod of web killed”": where a moment lies relative to the chaos event before it. */
export function relativeToEvents(atUnixMs: number, events: readonly ChaosEvent[], originUnixMs: number): string {
  const before = events.filter((e) => e.atUnixMs <= atUnixMs && e.kind !== "note").at(-1);
  const offset = (ms: number) => `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(1)} s`;
  return before
    ? `${offset(atUnixMs - before.atUnixMs)} after “${before.label}”`
    : `${offset(atUnixMs - originUnixMs)} after the traffic started`;
}

/** Failures by kind, e.g. "refused=12, timeout=3". */
export function describeKinds(kinds: Readonly<Record<string, number>>): string {
  return (
    Object.entries(kinds)
      .map(([kind, count]) => `${kind}=${count}`)
      .join(", ") || "none"
  );
}
