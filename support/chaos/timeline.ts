// The scenario's timeline: what the background traffic saw, second by second, next to what the chaos did. The
// numbers come from here (pure, unit-tested); the picture is drawn by timeline-chart.ts with ECharts.
import { percentile } from "../traffic/statistics.ts";
import { failureWindows, type TrafficSample } from "./verdicts.ts";

/** One request of the background traffic: the same record the steady-traffic checks read (verdicts.ts). */
export type TimelineSample = TrafficSample;

/** Something the scenario did while the traffic ran (a ChaosLog event satisfies it). Unix epoch milliseconds. */
export interface TimelineEvent {
  readonly atUnixMs: number;
  readonly label: string;
  readonly kind: "chaos" | "undo" | "note";
}

/** A Service's ready endpoints over time, from its EndpointSlice watch: one point per change. Unix epoch ms. */
export interface ReadyEndpointsSeries {
  readonly service: string;
  readonly points: readonly { readonly atUnixMs: number; readonly ready: number }[];
}

/** Nearest-rank latency percentiles, milliseconds from the scheduled time. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The requests scheduled within one time bucket. */
export interface TimelineBucket {
  /** Start of the bucket, milliseconds after the timeline's origin. */
  readonly startMs: number;
  readonly scheduled: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed requests per error kind ("other" when the sample named none). */
  readonly failedByKind: Readonly<Record<string, number>>;
  /** Of every request in the bucket, failed ones too (a timeout is a slow answer); null for an empty bucket. */
  readonly latencyMs: LatencyPercentiles | null;
  /**
   * How late the requests of the bucket started after their scheduled time (start − scheduled, ms; null for an empty
   * bucket): a client that cannot keep up shows here before its rate drops.
   */
  readonly scheduleLagMs: { readonly p50: number; readonly p99: number } | null;
  /** Pods that answered a request of the bucket successfully, sorted by name. */
  readonly pods: readonly string[];
}

/** How to cut the timeline into buckets. */
export interface BucketOptions {
  /** Bucket length in milliseconds; 1000 unless told. */
  readonly bucketMs?: number;
  /** Unix ms the buckets are counted from; the first scheduled time unless told. */
  readonly originUnixMs?: number;
}

/** Error kinds in the order the chart stacks and the summary lists them; kinds not named here follow, sorted. */
export const errorKindOrder = ["refused", "reset", "timeout", "dns", "blocked", "http", "other"] as const;

/** The first scheduled time of `samples` (Unix ms), or undefined for none. */
export function firstScheduledUnixMs(samples: readonly TimelineSample[]): number | undefined {
  let first: number | undefined;
  for (const sample of samples)
    if (first === undefined || sample.scheduledUnixMs < first) first = sample.scheduledUnixMs;
  return first;
}

/**
 * Counts the requests per bucket of scheduled time (open-loop traffic is scheduled at a fixed rate, so each bucket
 * holds what was asked of the Service in that second, however late the answers came). Buckets run from the origin
 * to the last scheduled request without gaps: a second in which nothing was scheduled is an empty bucket, not a
 * missing one. Samples scheduled before the origin are left out.
 */
export function bucketSamples(samples: readonly TimelineSample[], options: BucketOptions = {}): TimelineBucket[] {
  const bucketMs = options.bucketMs ?? 1000;
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0, got ${bucketMs}`);
  const origin = options.originUnixMs ?? firstScheduledUnixMs(samples);
  if (origin === undefined) return [];
  const groups: TimelineSample[][] = [];
  for (const sample of samples) {
    const index = Math.floor((sample.scheduledUnixMs - origin) / bucketMs);
    if (index < 0) continue;
    while (groups.length <= index) groups.push([]);
    groups[index]!.push(sample);
  }
  return groups.map((group, index) => {
    const failedByKind: Record<string, number> = {};
    const pods = new Set<string>();
    let succeeded = 0;
    for (const sample of group) {
      if (sample.ok) {
        succeeded += 1;
        if (sample.pod) pods.add(sample.pod);
      } else {
        const kind = sample.errorKind || "other";
        failedByKind[kind] = (failedByKind[kind] ?? 0) + 1;
      }
    }
    const latencies = group.map((s) => s.latencyMs);
    const lags = group.map((s) => s.startUnixMs - s.scheduledUnixMs);
    return {
      startMs: index * bucketMs,
      scheduled: group.length,
      succeeded,
      failed: group.length - succeeded,
      failedByKind: orderKinds(failedByKind),
      latencyMs:
        group.length === 0
          ? null
          : { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) },
      scheduleLagMs: group.length === 0 ? null : { p50: percentile(lags, 50), p99: percentile(lags, 99) },
      pods: [...pods].sort(),
    };
  });
}

/** `kinds` with its keys in errorKindOrder, unknown kinds after, sorted. */
export function orderKinds(kinds: Readonly<Record<string, number>>): Record<string, number> {
  const known: readonly string[] = errorKindOrder;
  const keys = Object.keys(kinds).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return Object.fromEntries(keys.map((k) => [k, kinds[k]!]));
  function rank(kind: string): number {
    const at = known.indexOf(kind);
    return at === -1 ? known.length : at;
  }
}

/** The longest stretch of failed requests, relative to the timeline's origin. */
export interface TimelineFailureWindow {
  /** Milliseconds after the origin: the first failed request's scheduled time. */
  readonly startMs: number;
  /** Milliseconds after the origin: the next success's scheduled time (or the last failure's answer). */
  readonly endMs: number;
  readonly durationMs: number;
  readonly failed: number;
  readonly failedByKind: Readonly<Record<string, number>>;
  /** The last chaos or undo event at or before the window's start, and how long before it it was (ms). */
  readonly after: { readonly label: string; readonly beforeMs: number } | null;
}

/** Everything the chart shows, as data: the JSON summary attached next to the chart. */
export interface TimelineSummary {
  readonly scenario: string;
  /** Unix ms of the timeline's zero: the first scheduled request. */
  readonly originUnixMs: number;
  readonly bucketMs: number;
  /** The rate the traffic was asked for (requests/s), when the caller said it. */
  readonly requestedRatePerSecond: number | null;
  /** Requests started per second between the first and the last start (0 for fewer than 2 requests). */
  readonly achievedRatePerSecond: number;
  /** Milliseconds from the first scheduled request to the last one's answer. */
  readonly durationMs: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failedByKind: Readonly<Record<string, number>>;
  readonly latencyMs: LatencyPercentiles & { readonly max: number };
  readonly longestFailureWindow: TimelineFailureWindow | null;
  /** Every event, with its offset in milliseconds after the origin (negative: before the traffic started). */
  readonly events: readonly (TimelineEvent & { readonly offsetMs: number })[];
  readonly buckets: readonly TimelineBucket[];
  /** Start − scheduled over every request, milliseconds. */
  readonly scheduleLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The target Service's ready endpoints, each change in ms after the origin; null when no Service was watched. */
  readonly readyEndpoints: {
    readonly service: string;
    readonly points: readonly { readonly offsetMs: number; readonly ready: number }[];
  } | null;
}

/** What the timeline is made of. */
export interface TimelineInput {
  /** The scenario's name, the chart's title. */
  readonly scenario: string;
  readonly samples: readonly TimelineSample[];
  readonly events: readonly TimelineEvent[];
  /** The rate the traffic was asked for, requests/s (shown next to the achieved rate). */
  readonly requestedRatePerSecond?: number;
  /** Bucket length in milliseconds; 1000 unless told. */
  readonly bucketMs?: number;
  /** The target Service's ready endpoints over the same time, when it was watched. */
  readonly readyEndpoints?: ReadyEndpointsSeries;
}

/**
 * The timeline's figures: totals, failures by kind, latency percentiles, the longest failure window placed after
 * the event that preceded it, the events relative to the origin, and the buckets.
 */
export function summarizeTimeline(input: TimelineInput): TimelineSummary {
  const { samples } = input;
  const bucketMs = input.bucketMs ?? 1000;
  const origin = firstScheduledUnixMs(samples) ?? Math.min(Date.now(), ...input.events.map((e) => e.atUnixMs));
  const failedByKind: Record<string, number> = {};
  let succeeded = 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastAnswer = origin;
  const latencies = new Float64Array(samples.length);
  const lags = new Float64Array(samples.length);
  samples.forEach((sample, i) => {
    lags[i] = sample.startUnixMs - sample.scheduledUnixMs;
    if (sample.ok) succeeded += 1;
    else failedByKind[sample.errorKind || "other"] = (failedByKind[sample.errorKind || "other"] ?? 0) + 1;
    firstStart = Math.min(firstStart, sample.startUnixMs);
    lastStart = Math.max(lastStart, sample.startUnixMs);
    lastAnswer = Math.max(lastAnswer, sample.scheduledUnixMs + sample.latencyMs);
    latencies[i] = sample.latencyMs;
  });
  // One sort for all four figures; nearest rank as in statistics.ts's percentile.
  latencies.sort();
  lags.sort();
  const rankIn = (values: Float64Array, p: number) =>
    values.length === 0 ? 0 : values[Math.max(1, Math.ceil((p / 100) * values.length)) - 1]!;
  const rankOf = (p: number) => rankIn(latencies, p);
  const markers = input.events.filter((e) => e.kind !== "note").sort((a, b) => a.atUnixMs - b.atUnixMs);
  const [longest] = failureWindows(samples);
  let longestFailureWindow: TimelineFailureWindow | null = null;
  if (longest) {
    const before = markers.filter((e) => e.atUnixMs <= longest.startUnixMs).at(-1);
    longestFailureWindow = {
      startMs: longest.startUnixMs - origin,
      endMs: longest.endUnixMs - origin,
      durationMs: longest.endUnixMs - longest.startUnixMs,
      failed: longest.failed,
      failedByKind: orderKinds(longest.errorKinds),
      after: before ? { label: before.label, beforeMs: longest.startUnixMs - before.atUnixMs } : null,
    };
  }
  return {
    scenario: input.scenario,
    originUnixMs: origin,
    bucketMs,
    requestedRatePerSecond: input.requestedRatePerSecond ?? null,
    achievedRatePerSecond:
      samples.length < 2 || lastStart === firstStart ? 0 : ((samples.length - 1) * 1000) / (lastStart - firstStart),
    durationMs: lastAnswer - origin,
    total: samples.length,
    succeeded,
    failed: samples.length - succeeded,
    failedByKind: orderKinds(failedByKind),
    latencyMs: { p50: rankOf(50), p90: rankOf(90), p99: rankOf(99), max: latencies.at(-1) ?? 0 },
    longestFailureWindow,
    events: [...input.events]
      .sort((a, b) => a.atUnixMs - b.atUnixMs)
      .map((e) => ({ atUnixMs: e.atUnixMs, label: e.label, kind: e.kind, offsetMs: e.atUnixMs - origin })),
    buckets: bucketSamples(samples, { bucketMs, originUnixMs: origin }),
    scheduleLagMs: { p50: rankIn(lags, 50), p99: rankIn(lags, 99), max: lags.at(-1) ?? 0 },
    readyEndpoints: input.readyEndpoints
      ? {
          service: input.readyEndpoints.service,
          points: input.readyEndpoints.points.map((p) => ({ offsetMs: p.atUnixMs - origin, ready: p.ready })),
        }
      : null,
  };
}

/**
 * The CSV columns, in order. `offset_ms` is the scheduled time after the timeline's origin; `after_stop_ms` is set
 * when the answering pod had been told to stop that long before it accepted the connection (empty otherwise).
 */
export const csvColumns = [
  "offset_ms",
  "client",
  "seq",
  "scheduled_unix_ms",
  "start_unix_ms",
  "latency_ms",
  "ok",
  "status",
  "error_kind",
  "pod",
  "after_stop_ms",
] as const;

/**
 * Every sample as CSV (RFC 4180: a header row, one row per request in scheduled order, CRLF line ends, fields
 * quoted only when they hold a comma, quote or line break). Times in milliseconds; `originUnixMs` defaults to the
 * first scheduled time.
 */
export function samplesToCsv(samples: readonly TimelineSample[], originUnixMs?: number): string {
  const origin = originUnixMs ?? firstScheduledUnixMs(samples) ?? 0;
  const ordered = [...samples].sort(
    // Code-unit order, not localeCompare: the same everywhere, and 10× cheaper on 60,000 rows.
    (a, b) =>
      a.scheduledUnixMs - b.scheduledUnixMs || (a.client < b.client ? -1 : a.client > b.client ? 1 : a.seq - b.seq),
  );
  const rows = [csvColumns.join(",")];
  for (const s of ordered) {
    rows.push(
      `${round3(s.scheduledUnixMs - origin)},${csvField(s.client)},${s.seq},${round3(s.scheduledUnixMs)},${round3(s.startUnixMs)},${round3(s.latencyMs)},${s.ok},${s.status},${csvField(s.errorKind)},${csvField(s.pod)},${s.afterStopMs === undefined ? "" : round3(s.afterStopMs)}`,
    );
  }
  return `${rows.join("\r\n")}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// Timestamps carry µs from the prober; more digits than that are float noise.
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
