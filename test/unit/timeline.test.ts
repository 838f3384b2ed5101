import assert from "node:assert/strict";
import { test } from "node:test";
import { ChaosLog } from "../../support/chaos/chaos-log.ts";
import {
  bucketSamples,
  csvColumns,
  samplesToCsv,
  summarizeTimeline,
  type TimelineEvent,
  type TimelineSample,
} from "../../support/chaos/timeline.ts";
import {
  headline,
  labelRows,
  rasteriseSvg,
  renderTimeline,
  renderTimelineSvg,
  timelineChartOption,
} from "../../support/chaos/timeline-chart.ts";
import { syntheticFailover } from "../../support/chaos/timeline-synthetic.ts";
import type { TrafficSample } from "../../support/chaos/verdicts.ts";

const origin = 1_700_000_000_000;

/** A request scheduled `atMs` after the origin. */
function sample(atMs: number, outcome: Partial<TimelineSample> = {}): TimelineSample {
  return {
    client: "c0",
    seq: Math.round(atMs),
    scheduledUnixMs: origin + atMs,
    startUnixMs: origin + atMs + 0.1,
    latencyMs: 2,
    ok: true,
    status: 200,
    errorKind: "",
    pod: "web-a",
    ...outcome,
  };
}

function failed(atMs: number, errorKind: string, latencyMs = 1): TimelineSample {
  return sample(atMs, { ok: false, status: 0, errorKind, pod: "", latencyMs });
}

test("buckets count scheduled, succeeded and failed requests by kind per second from the first scheduled time", () => {
  const samples = [
    sample(0, { pod: "web-b" }),
    sample(100, { pod: "web-a" }),
    failed(900, "refused"),
    // nothing scheduled in second 1: an empty bucket, not a missing one
    failed(2000, "reset"),
    failed(2100, "refused"),
    failed(2200, ""),
    sample(2999, { pod: "web-c" }),
  ];
  const buckets = bucketSamples(samples);
  assert.equal(buckets.length, 3);
  assert.deepEqual(
    buckets.map((b) => [b.startMs, b.scheduled, b.succeeded, b.failed]),
    [
      [0, 3, 2, 1],
      [1000, 0, 0, 0],
      [2000, 4, 1, 3],
    ],
  );
  // error kinds in the chart's order; a failure without a kind counts as "other"
  assert.deepEqual(Object.entries(buckets[2]!.failedByKind), [
    ["refused", 1],
    ["reset", 1],
    ["other", 1],
  ]);
  assert.deepEqual(buckets[0]!.failedByKind, { refused: 1 });
  assert.deepEqual(buckets[0]!.pods, ["web-a", "web-b"]);
  assert.deepEqual(buckets[1]!.pods, []);
  assert.equal(buckets[1]!.latencyMs, null);
});

test("bucket latency percentiles are nearest-rank over every request of the bucket, failures included", () => {
  // latencies 1..100 ms in second 0; 1 failed request (a 5 s timeout) in second 1
  const samples = [
    ...Array.from({ length: 100 }, (_, i) => sample(i * 10, { latencyMs: 100 - i })),
    failed(1500, "timeout", 5000),
  ];
  const [first, second] = bucketSamples(samples);
  assert.deepEqual(first!.latencyMs, { p50: 50, p90: 90, p99: 99 });
  assert.deepEqual(second!.latencyMs, { p50: 5000, p90: 5000, p99: 5000 });
});

test("bucket length and origin can be chosen; samples before the origin are left out", () => {
  const samples = [sample(-100), sample(0), sample(250), sample(499), sample(500), sample(1200)];
  const buckets = bucketSamples(samples, { bucketMs: 500, originUnixMs: origin });
  assert.deepEqual(
    buckets.map((b) => [b.startMs, b.scheduled]),
    [
      [0, 3],
      [500, 1],
      [1000, 1],
    ],
  );
  assert.deepEqual(bucketSamples([]), []);
  assert.throws(() => bucketSamples(samples, { bucketMs: 0 }), RangeError);
});

test("the summary totals the failures, finds the longest failure window and places it after the chaos event", () => {
  const samples = [
    ...Array.from({ length: 50 }, (_, i) => sample(i * 100)), // 0–4.9 s fine
    ...Array.from({ length: 20 }, (_, i) => failed(5000 + i * 100, i < 10 ? "refused" : "reset")), // 5–6.9 s failing
    ...Array.from({ length: 30 }, (_, i) => sample(7000 + i * 100)), // 7–9.9 s fine
  ];
  const events: TimelineEvent[] = [
    { atUnixMs: origin + 6000, label: "undo: nothing", kind: "note" },
    { atUnixMs: origin + 4800, label: "web-a killed", kind: "chaos" },
    { atUnixMs: origin + 8000, label: "undo: web scaled back", kind: "undo" },
  ];
  const summary = summarizeTimeline({ scenario: "s", samples, events, requestedRatePerSecond: 10 });
  assert.equal(summary.total, 100);
  assert.equal(summary.failed, 20);
  assert.deepEqual(summary.failedByKind, { refused: 10, reset: 10 });
  assert.equal(summary.requestedRatePerSecond, 10);
  assert.ok(Math.abs(summary.achievedRatePerSecond - 10) < 0.01, `achieved ${summary.achievedRatePerSecond}`);
  const window = summary.longestFailureWindow!;
  assert.equal(window.startMs, 5000);
  // The window ends with the last failure's error (its scheduled time plus its latency), just before 7 s.
  assert.ok(window.endMs > 6900 && window.endMs < 7000, `ends at ${window.endMs}`);
  assert.equal(window.durationMs, window.endMs - window.startMs);
  assert.deepEqual(window.failedByKind, { refused: 10, reset: 10 });
  // notes are not causes: the window is placed after the chaos event before it
  assert.deepEqual(window.after, { label: "web-a killed", beforeMs: 200 });
  assert.deepEqual(
    summary.events.map((e) => [e.offsetMs, e.kind]),
    [
      [4800, "chaos"],
      [6000, "note"],
      [8000, "undo"],
    ],
  );
  assert.equal(summary.buckets.length, 10);
  assert.match(headline(summary), /requested 10 req\/s, achieved 10 req\/s/);
  assert.match(headline(summary), /20 of 100 failed \(20%: refused 10, reset 10\)/);
  assert.match(headline(summary), /longest failure window 1\.90 s, starting 0\.20 s after “web-a killed”/);
});

test("a timeline without failures has no failure window and says so", () => {
  const summary = summarizeTimeline({ scenario: "calm", samples: [sample(0), sample(500)], events: [] });
  assert.equal(summary.longestFailureWindow, null);
  assert.equal(summary.requestedRatePerSecond, null);
  assert.match(headline(summary), /^achieved 2 req\/s {2}· {2}0 of 2 failed \(0%\) {2}· {2}no failure window$/);
  const option = timelineChartOption(summary);
  const names = (option.series as { name: string }[]).map((s) => s.name);
  assert.deepEqual(names, ["succeeded", "p50 latency", "p99 latency", "schedule lag p99"]);
  assert.equal(Array.isArray(option.grid), false, "no ready-endpoints strip without a watched Service");
});

test("schedule lag is start − scheduled, per bucket and over the whole run", () => {
  const samples = [
    sample(0, { startUnixMs: origin + 0.5 }),
    sample(100, { startUnixMs: origin + 100 + 4 }),
    sample(1000, { startUnixMs: origin + 1000 + 40 }),
  ];
  const summary = summarizeTimeline({ scenario: "lag", samples, events: [] });
  assert.deepEqual(
    summary.buckets.map((b) => b.scheduleLagMs),
    [
      { p50: 0.5, p99: 4 },
      { p50: 40, p99: 40 },
    ],
  );
  assert.deepEqual(summary.scheduleLagMs, { p50: 4, p99: 40, max: 40 });
  const option = timelineChartOption(summary);
  const lag = (option.series as { name: string; data: unknown[] }[]).find((s) => s.name === "schedule lag p99");
  assert.deepEqual(lag?.data, [
    [0.5, 4],
    [1.5, 40],
  ]);
});

test("the requested rate is a line at rate × bucket length, and the ready endpoints a step line in a strip below", () => {
  const samples = [sample(0), sample(500), sample(1000), sample(1500), sample(2500)];
  const summary = summarizeTimeline({
    scenario: "strip",
    samples,
    events: [],
    requestedRatePerSecond: 2,
    readyEndpoints: {
      service: "web",
      points: [
        { atUnixMs: origin - 300, ready: 3 },
        { atUnixMs: origin + 1200, ready: 2 },
      ],
    },
  });
  assert.deepEqual(summary.readyEndpoints, {
    service: "web",
    points: [
      { offsetMs: -300, ready: 3 },
      { offsetMs: 1200, ready: 2 },
    ],
  });
  const option = timelineChartOption(summary);
  const series = option.series as { name: string; data: unknown[]; xAxisIndex?: number; step?: string }[];
  assert.deepEqual(series.find((s) => s.name === "requested rate")?.data, [
    [0, 2],
    [3, 2],
  ]);
  const endpoints = series.find((s) => s.name === "ready endpoints of web");
  assert.equal(endpoints?.xAxisIndex, 1);
  assert.equal(endpoints?.step, "end");
  // Held from before the traffic (drawn from the axis' start) to the end of the axis.
  assert.deepEqual(endpoints?.data, [
    [0, 3],
    [1.2, 2],
    [3, 2],
  ]);
  assert.equal((option.grid as unknown[]).length, 2);
  const legend = (option.legend as { data: unknown[] }).data;
  assert.ok(legend.includes("requested rate") && legend.includes("ready endpoints of web"));
  assert.match(renderTimelineSvg(summary), /ready endpoints of web/);
});

test("the CSV has a header and one row per request in scheduled order, quoting only where RFC 4180 needs it", () => {
  const samples = [
    sample(1000, { client: "c1", seq: 4, pod: 'odd,"pod"' }),
    failed(0, "refused"),
    sample(1000, { client: "c0", seq: 9, latencyMs: 1.23456789, afterStopMs: 12.3456 }),
  ];
  const csv = samplesToCsv(samples);
  assert.ok(csv.endsWith("\r\n"));
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines.length, 4);
  assert.equal(lines[0], csvColumns.join(","));
  assert.equal(
    lines[0],
    "offset_ms,client,seq,scheduled_unix_ms,start_unix_ms,latency_ms,ok,status,error_kind,pod,after_stop_ms",
  );
  assert.equal(lines[1], `0,c0,0,${origin},${origin + 0.1},1,false,0,refused,,`);
  assert.equal(lines[2], `1000,c0,9,${origin + 1000},${origin + 1000.1},1.235,true,200,,web-a,12.346`);
  assert.equal(lines[3], `1000,c1,4,${origin + 1000},${origin + 1000.1},2,true,200,,"odd,""pod""",`);
  assert.equal(samplesToCsv([]), `${csvColumns.join(",")}\r\n`);
});

test("every chaos event, undo and note becomes a vertical mark line at its offset, with its label", () => {
  const { samples, events } = syntheticFailover({
    seconds: 10,
    ratePerSecond: 50,
    killAtS: 3,
    failureS: 2,
    failingShare: 1,
    undoAtS: 8,
  });
  const option = timelineChartOption(summarizeTimeline({ scenario: "s", samples, events }));
  const series = option.series as { name: string; markLine?: { data: { name: string; xAxis: number }[] } }[];
  const lines = Object.fromEntries(
    series.filter((s) => s.markLine).map((s) => [s.name, s.markLine!.data.map((d) => [d.xAxis, d.name])]),
  );
  assert.deepEqual(lines, {
    "chaos event": [[3, "pod web-7d9f-abcde killed"]],
    undo: [[8, "undo: kill schedule stopped"]],
    note: [[5.3, "web-7d9f-pqrst ready"]],
  });
  const bars = series.filter((s) => (s as { type?: string }).type === "bar").map((s) => s.name);
  assert.deepEqual(bars, ["succeeded", "failed: refused", "failed: reset"]);
});

test("event labels close together go to different rows; far apart ones share the lowest row", () => {
  const events = [
    { offsetMs: 0, label: "a long label for the first event", kind: "chaos" },
    { offsetMs: 100, label: "second", kind: "note" },
    { offsetMs: 200, label: "third", kind: "undo" },
    { offsetMs: 50_000, label: "far away", kind: "undo" },
    { offsetMs: 59_000, label: "near the right edge", kind: "undo" },
  ];
  const places = labelRows(events, (s) => s * 20, 1200);
  assert.deepEqual(
    [...places.entries()].sort(([a], [b]) => a - b).map(([, p]) => [p.row, p.alignRight]),
    [
      [0, false],
      [1, false],
      [2, false],
      [0, false],
      // would pass x = 1200, so it ends at its line; it then runs into "far away" (1000 px onwards)
      [1, true],
    ],
  );
});

test("the SVG is drawn by ECharts and holds the title, the figures and every event label", () => {
  const { samples, events } = syntheticFailover({
    seconds: 20,
    ratePerSecond: 100,
    killAtS: 5,
    failureS: 4,
    failingShare: 1,
    undoAtS: 15,
  });
  const all: TimelineEvent[] = [
    ...events,
    { atUnixMs: events[0]!.atUnixMs + 9000, label: "node <b> & co", kind: "chaos" },
  ];
  const svg = renderTimelineSvg(summarizeTimeline({ scenario: "Failover under load", samples, events: all }), {
    width: 1000,
    height: 400,
  });
  assert.match(svg, /^<svg [^>]*width="1000" height="400"/);
  assert.match(svg, />Failover under load</);
  assert.match(svg, /longest failure window (3\.9\d|4\.00) s/);
  assert.match(svg, /pod web-7d9f-abcde killed/);
  assert.match(svg, /undo: kill schedule stopped/);
  assert.match(svg, /web-7d9f-pqrst ready/);
  // labels are text, escaped, not markup
  assert.match(svg, /node &lt;b&gt; &amp; co/);
  assert.doesNotMatch(svg, /<b>/);
});

test("a realistic failover renders to a PNG with text, a CSV and a JSON summary", () => {
  const { samples, events } = syntheticFailover({
    seconds: 60,
    ratePerSecond: 300,
    killAtS: 20,
    failureS: 4,
    failingShare: 1,
    undoAtS: 45,
  });
  const out = renderTimeline({ scenario: "A pod killed under load", samples, events, requestedRatePerSecond: 300 });
  // PNG signature, then the IHDR size: 1200×500 at the default 1.5 pixels per SVG pixel
  assert.deepEqual([...out.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(out.png.readUInt32BE(16), 1800);
  assert.equal(out.png.readUInt32BE(20), 750);
  assert.equal(out.csv.trimEnd().split("\r\n").length, 18_001);
  assert.equal(out.summary.failed, 1200);
  assert.ok(Math.abs((out.summary.longestFailureWindow?.durationMs ?? 0) - 4000) < 10);
  assert.deepEqual(JSON.parse(out.json), out.summary);
});

test("text is rasterised: the PNG font ships with the project, so labels never come out blank", () => {
  const text = (content: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="24" style="font-size:16px;font-family:DejaVu Sans Condensed;" fill="#000000">${content}</text></svg>`;
  const inked = (content: string) => {
    const { pixels } = rasteriseSvg(text(content), 1);
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) dark += 1;
    return dark;
  };
  assert.equal(inked(""), 0);
  assert.ok(inked("pod web-a killed") > 100, `only ${inked("pod web-a killed")} dark pixels`);
});

test("the load engine's samples and the chaos log's events fit the timeline as they are", () => {
  const recorded: TrafficSample[] = [sample(0), failed(100, "refused")];
  const log = new ChaosLog(process.pid);
  log.note("web-a killed", "chaos", ["web-a"]);
  const summary = summarizeTimeline({ scenario: "s", samples: recorded, events: log.events });
  assert.equal(summary.events[0]!.label, "web-a killed");
  assert.equal(summary.failed, 1);
});
