// The timeline chart, drawn by Apache ECharts' server-side SVG renderer and rasterised by resvg. The chart must
// explain a failover on its own: when the chaos struck, which errors followed, for how long, and how latency moved.
import { createRequire } from "node:module";
import { type RenderedImage, Resvg } from "@resvg/resvg-js";
import type {
  EChartsOption,
  LineSeriesOption,
  MarkAreaComponentOption as MarkAreaOption,
  MarkLineComponentOption as MarkLineOption,
} from "echarts";
import { BarChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { samplesToCsv, summarizeTimeline, type TimelineInput, type TimelineSummary } from "./timeline.ts";

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  SVGRenderer,
]);

/** Size and resolution of the chart. */
export interface TimelineChartOptions {
  /** SVG width in CSS pixels; 1200 unless told. */
  readonly width?: number;
  /** SVG height in CSS pixels; 500 unless told, plus the ready-endpoints strip when there is one. */
  readonly height?: number;
  /** PNG pixels per SVG pixel; 1.5 unless told (sharp in an HTML report without a large file). */
  readonly pngScale?: number;
}

// Okabe–Ito and Paul Tol colours, which stay apart for the common colour-vision deficiencies. Failures are all
// warm (vermillion, wine, orange, rose): a reader sees "red means failed" before reading the legend.
const successColour = "#8cc5e8";
const failureColours: Readonly<Record<string, string>> = {
  refused: "#d55e00",
  reset: "#882255",
  timeout: "#e69f00",
  dns: "#cc79a7",
  blocked: "#aa4499",
  http: "#ee6677",
  other: "#7f2704",
};
const spareFailureColours = ["#b2182b", "#f4a582", "#67001f"];
const p50Colour = "#117733";
const p99Colour = "#000000";
const lagColour = "#56b4e9";
const requestedColour = "#0072b2";
const endpointsColour = "#009e73";
const chaosColour = "#222222";
const undoColour = "#0072b2";
const noteColour = "#888888";
// A vertical bar: events are vertical lines on the chart.
const lineIcon = "path://M4,0 L6,0 L6,20 L4,20 Z";
const windowColour = "rgba(213, 94, 0, 0.10)";
// DejaVu Sans Condensed is as wide as the glyph widths ECharts assumes when it lays text out without a browser
// (zrender's built-in width table), so legend entries and label boxes fit their text; DejaVu Sans is ~10% wider.
const fontFamily = "DejaVu Sans Condensed";
const labelFont = `12px ${fontFamily}`;
const labelRowPx = 17;
/** The ready-endpoints strip under the plot: its height, and the gap above it (the plot's own x labels). */
const endpointsStripPx = 70;
const endpointsGapPx = 34;

/** The chart's height: 500 px, plus the ready-endpoints strip when the summary has a watched Service. */
export function defaultChartHeight(summary: TimelineSummary): number {
  return 500 + (summary.readyEndpoints ? endpointsStripPx + endpointsGapPx : 0);
}

/**
 * The ECharts option for a timeline: stacked outcome bars, latency lines, event markers and the failure window.
 * `width` (CSS px) places the event labels in rows above the plot so that neighbouring labels never overlap.
 */
export function timelineChartOption(summary: TimelineSummary, width = 1200): EChartsOption {
  const bucketS = summary.bucketMs / 1000;
  const perBucket = summary.bucketMs === 1000 ? "second" : `${formatNumber(bucketS)} s`;
  const seconds = (ms: number) => Math.round(ms) / 1000;
  const centre = (startMs: number) => seconds(startMs) + bucketS / 2;
  const xMin = Math.floor(Math.min(0, ...summary.events.map((e) => seconds(e.offsetMs))));
  const xMax = Math.max(
    xMin + 1,
    Math.ceil(
      Math.max(
        seconds(summary.durationMs),
        ...summary.buckets.map((b) => seconds(b.startMs) + bucketS),
        ...summary.events.map((e) => seconds(e.offsetMs)),
      ),
    ),
  );
  const kinds = Object.keys(summary.failedByKind);

  const bars = [
    { name: "succeeded", colour: successColour, values: summary.buckets.map((b) => b.succeeded) },
    ...kinds.map((kind, i) => ({
      name: `failed: ${kind}`,
      colour: failureColours[kind] ?? spareFailureColours[i % spareFailureColours.length]!,
      values: summary.buckets.map((b) => b.failedByKind[kind] ?? 0),
    })),
  ];
  // The log axis cannot show 0 ms; sub-0.1 ms answers are below the prober's resolution anyway.
  const latency = (pick: "p50" | "p99") =>
    summary.buckets.map((b) => [centre(b.startMs), b.latencyMs ? Math.max(0.1, b.latencyMs[pick]) : null]);
  // Schedule lag on the same log axis: a client that cannot keep its schedule shows here before its rate drops.
  const lag = summary.buckets.map((b) => [
    centre(b.startMs),
    b.scheduleLagMs ? Math.max(0.1, b.scheduleLagMs.p99) : null,
  ]);
  const requested =
    summary.requestedRatePerSecond === null
      ? null
      : [
          [0, summary.requestedRatePerSecond * bucketS],
          [
            Math.max(bucketS, seconds(summary.buckets.length * summary.bucketMs)),
            summary.requestedRatePerSecond * bucketS,
          ],
        ];
  const endpoints = summary.readyEndpoints;

  const grid = { left: 64, right: 78 };
  const titleBottom = 60;
  const places = labelRows(
    summary.events,
    (s) => grid.left + ((s - xMin) / (xMax - xMin)) * (width - grid.left - grid.right),
    width - 8,
  );
  const rowCount = Math.max(1, ...[...places.values()].map((p) => p.row + 1));
  const gridTop = titleBottom + rowCount * labelRowPx + 6;
  const eventStyle = {
    chaos: [chaosColour, "solid"],
    undo: [undoColour, "dashed"],
    note: [noteColour, "dotted"],
  } as const;
  const markLine = (kind: "chaos" | "undo" | "note"): MarkLineOption => ({
    symbol: ["none", "none"],
    silent: true,
    lineStyle: { color: eventStyle[kind][0], type: eventStyle[kind][1], width: kind === "note" ? 1.5 : 2 },
    data: summary.events
      .map((e, index) => ({ e, index }))
      .filter(({ e }) => e.kind === kind)
      .map(({ e, index }) => {
        const place = places.get(index) ?? { row: 0, alignRight: false };
        // Notes are context, not causes: no pointer, grey.
        const pointer = kind === "note" ? "" : "▼";
        return {
          name: e.label,
          xAxis: seconds(e.offsetMs),
          label: {
            show: true,
            position: "end" as const,
            align: place.alignRight ? ("right" as const) : ("left" as const),
            // Row 0 sits just above the plot; later rows stack upwards towards the title.
            distance: [0, 2 + place.row * labelRowPx],
            // Shifted by half the ▼ so that it points at the line.
            offset: [pointer ? (place.alignRight ? 4 : -4) : 0, 0],
            color: kind === "note" ? "#555555" : eventStyle[kind][0],
            fontFamily,
            fontSize: 12,
            fontWeight: kind === "chaos" ? ("bold" as const) : ("normal" as const),
            formatter: place.alignRight ? `${e.label} ${pointer}` : `${pointer} ${e.label}`,
          },
        };
      }),
  });

  const window = summary.longestFailureWindow;
  const windowArea: MarkAreaOption["data"] = window
    ? [[{ xAxis: seconds(window.startMs) }, { xAxis: seconds(window.endMs) }]]
    : [];
  const eventKinds = (["chaos", "undo", "note"] as const).filter((kind) => summary.events.some((e) => e.kind === kind));
  const endpointsName = endpoints ? `ready endpoints of ${endpoints.service}` : "";
  const legendNames = [
    ...bars.map((b) => b.name),
    ...(requested ? ["requested rate"] : []),
    "p50 latency",
    "p99 latency",
    "schedule lag p99",
    ...(endpoints ? [endpointsName] : []),
    ...eventKinds.map((kind) => ({ name: kind === "chaos" ? "chaos event" : kind, icon: lineIcon })),
  ];
  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily, color: "#222222" },
    title: {
      text: summary.scenario,
      subtext: headline(summary),
      left: 16,
      top: 8,
      // A long scenario name or event label is cut with an ellipsis rather than run off the image.
      textStyle: {
        fontFamily,
        fontSize: 17,
        fontWeight: "bold",
        color: "#111111",
        width: width - 32,
        overflow: "truncate",
      },
      subtextStyle: { fontFamily, fontSize: 13, color: "#333333", width: width - 32, overflow: "truncate" },
      itemGap: 6,
    },
    legend: {
      // The window's label series is no legend entry: the shaded area says what it is.
      data: legendNames,
      bottom: 6,
      left: "center",
      itemWidth: 18,
      itemHeight: 10,
      itemGap: 16,
      textStyle: { fontFamily, fontSize: 12 },
    },
    grid: endpoints
      ? [
          { ...grid, top: gridTop, bottom: 74 + endpointsStripPx + endpointsGapPx },
          { ...grid, height: endpointsStripPx, bottom: 74 },
        ]
      : { ...grid, top: gridTop, bottom: 74 },
    xAxis: [
      {
        type: "value",
        min: xMin,
        max: xMax,
        ...(endpoints
          ? {}
          : { name: "seconds since the traffic started", nameLocation: "middle" as const, nameGap: 26 }),
        nameTextStyle: { fontFamily, fontSize: 12 },
        axisLabel: { fontFamily, fontSize: 12 },
        splitLine: { show: false },
      },
      ...(endpoints
        ? [
            {
              type: "value" as const,
              gridIndex: 1,
              min: xMin,
              max: xMax,
              name: "seconds since the traffic started",
              nameLocation: "middle" as const,
              nameGap: 26,
              nameTextStyle: { fontFamily, fontSize: 12 },
              axisLabel: { fontFamily, fontSize: 12 },
              splitLine: { show: false },
            },
          ]
        : []),
    ],
    yAxis: [
      {
        type: "value",
        name: `requests per ${perBucket}`,
        nameLocation: "middle",
        nameGap: 46,
        nameTextStyle: { fontFamily, fontSize: 12 },
        axisLabel: { fontFamily, fontSize: 12 },
        splitLine: { lineStyle: { color: "#e6e6e6" } },
      },
      {
        type: "log",
        name: "latency and schedule lag, ms (log)",
        nameLocation: "middle",
        nameGap: 50,
        nameTextStyle: { fontFamily, fontSize: 12 },
        axisLabel: { fontFamily, fontSize: 12 },
        splitLine: { show: false },
      },
      ...(endpoints
        ? [
            {
              type: "value" as const,
              gridIndex: 1,
              min: 0,
              max: Math.max(1, ...endpoints.points.map((p) => p.ready)),
              minInterval: 1,
              name: "ready\nendpoints",
              nameLocation: "middle" as const,
              nameGap: 30,
              nameTextStyle: { fontFamily, fontSize: 11 },
              axisLabel: { fontFamily, fontSize: 11 },
              splitLine: { lineStyle: { color: "#eeeeee" } },
            },
          ]
        : []),
    ],
    series: [
      ...bars.map((bar, i) => ({
        type: "bar" as const,
        name: bar.name,
        stack: "requests",
        yAxisIndex: 0,
        barCategoryGap: "15%",
        itemStyle: { color: bar.colour },
        data: summary.buckets.map((b, j) => [centre(b.startMs), bar.values[j]!]),
        // The failure window shades behind the bars, on the first series so it is drawn once.
        ...(i === 0 && window
          ? {
              markArea: {
                silent: true,
                itemStyle: { color: windowColour },
                data: windowArea,
              },
            }
          : {}),
      })),
      ...(requested
        ? [
            {
              type: "line" as const,
              name: "requested rate",
              yAxisIndex: 0,
              symbol: "none",
              z: 4,
              lineStyle: { color: requestedColour, width: 1.5, type: [6, 3] as number[] },
              itemStyle: { color: requestedColour },
              data: requested,
            },
          ]
        : []),
      latencyLine("p50 latency", p50Colour, "solid", latency("p50")),
      latencyLine("p99 latency", p99Colour, "dashed", latency("p99")),
      latencyLine("schedule lag p99", lagColour, "dotted", lag),
      ...(endpoints
        ? [
            endpointsSeries(endpointsName, endpoints.points, xMin, xMax),
            // ECharts widens a value axis that carries bars by half a bar on each side; an invisible copy of the
            // bars widens the strip's axis alike, so both panels put each second at the same pixel.
            {
              type: "bar" as const,
              name: "",
              xAxisIndex: 1,
              yAxisIndex: 2,
              silent: true,
              barCategoryGap: "15%",
              itemStyle: { color: "rgba(0,0,0,0)" },
              data: summary.buckets.map((b) => [centre(b.startMs), 0]),
            },
          ]
        : []),
      // The window's label on a transparent copy of the area above the bars, which would otherwise cover it.
      ...(window
        ? [
            {
              type: "line" as const,
              name: "failure window",
              yAxisIndex: 0,
              z: 10,
              data: [],
              markArea: {
                // Marker areas default to z 1, under the bars (z 2).
                z: 10,
                silent: true,
                itemStyle: { color: "rgba(0,0,0,0)" },
                label: {
                  show: true,
                  position: "insideTop" as const,
                  color: "#8a3300",
                  fontFamily,
                  fontSize: 12,
                  backgroundColor: "rgba(255,255,255,0.9)",
                  padding: [2, 4],
                  formatter: `longest failure window ${formatSeconds(window.durationMs)}`,
                },
                data: windowArea,
              },
            },
          ]
        : []),
      // Event lines hang on empty series so the legend explains them like any other mark.
      ...eventKinds.map((kind) =>
        eventSeries(kind === "chaos" ? "chaos event" : kind, eventStyle[kind][0], eventStyle[kind][1], markLine(kind)),
      ),
    ],
  };
}

/** Where an event's label goes: its row above the plot (0 nearest), and whether it ends at its line. */
export interface LabelPlace {
  readonly row: number;
  /** The label would run off the right edge, so it ends at its line instead of starting there. */
  readonly alignRight: boolean;
}

/**
 * Places the event labels (keyed by index in `events`): each goes in the lowest row where it does not run into a
 * label before it. `x` maps seconds to pixels; a label that would pass `maxX` (px) is drawn leftwards from its
 * line. Widths come from ECharts' own text measure, the one its layout uses.
 */
export function labelRows(
  events: readonly { readonly offsetMs: number; readonly label: string; readonly kind: string }[],
  x: (seconds: number) => number,
  maxX = Number.POSITIVE_INFINITY,
): Map<number, LabelPlace> {
  const places = new Map<number, LabelPlace>();
  const rightEnds: number[] = [];
  events
    .map((e, index) => {
      const at = x(Math.round(e.offsetMs) / 1000);
      const width = echarts.format.getTextRect(`▼ ${e.label}`, `bold ${labelFont}`).width + 8;
      const alignRight = at + width > maxX;
      return { index, alignRight, left: alignRight ? at - width : at, right: alignRight ? at : at + width };
    })
    .sort((a, b) => a.left - b.left)
    .forEach(({ index, alignRight, left, right }) => {
      let row = rightEnds.findIndex((end) => end <= left);
      if (row === -1) row = rightEnds.length;
      rightEnds[row] = right;
      places.set(index, { row, alignRight });
    });
  return places;
}

function latencyLine(
  name: string,
  colour: string,
  type: "solid" | "dashed" | "dotted",
  data: (number | null)[][],
): LineSeriesOption {
  return {
    type: "line" as const,
    name,
    yAxisIndex: 1,
    symbol: "none",
    connectNulls: false,
    z: 5,
    lineStyle: { color: colour, width: 2, type },
    itemStyle: { color: colour },
    data,
  };
}

/** The ready endpoints as a step line in the strip under the plot, held from each change to the next (and to the end). */
function endpointsSeries(
  name: string,
  points: readonly { readonly offsetMs: number; readonly ready: number }[],
  xMin: number,
  xMax: number,
): LineSeriesOption {
  const data = points.map((p) => [Math.max(xMin, Math.round(p.offsetMs) / 1000), p.ready]);
  const last = points.at(-1);
  if (last) data.push([xMax, last.ready]);
  return {
    type: "line" as const,
    name,
    xAxisIndex: 1,
    yAxisIndex: 2,
    step: "end",
    symbol: "none",
    lineStyle: { color: endpointsColour, width: 2 },
    itemStyle: { color: endpointsColour },
    areaStyle: { color: "rgba(0, 158, 115, 0.12)" },
    data,
  };
}

function eventSeries(
  name: string,
  colour: string,
  type: "solid" | "dashed" | "dotted",
  markLine: MarkLineOption,
): LineSeriesOption {
  return {
    type: "line" as const,
    name,
    yAxisIndex: 0,
    symbol: "none",
    lineStyle: { color: colour, width: 2, type },
    itemStyle: { color: colour },
    data: [],
    markLine,
  };
}

/** The chart's subtitle: rates, failures by kind and the longest failure window. */
export function headline(summary: TimelineSummary): string {
  const rate = [
    summary.requestedRatePerSecond === null ? "" : `requested ${formatNumber(summary.requestedRatePerSecond)} req/s`,
    `achieved ${formatNumber(summary.achievedRatePerSecond)} req/s`,
  ]
    .filter(Boolean)
    .join(", ");
  const share = summary.total === 0 ? 0 : (summary.failed / summary.total) * 100;
  const kinds = Object.entries(summary.failedByKind).map(([kind, n]) => `${kind} ${n.toLocaleString("en-US")}`);
  const failures = `${summary.failed.toLocaleString("en-US")} of ${summary.total.toLocaleString("en-US")} failed (${formatNumber(share)}%${kinds.length ? `: ${kinds.join(", ")}` : ""})`;
  const window = summary.longestFailureWindow;
  const gap = window
    ? `longest failure window ${formatSeconds(window.durationMs)}${window.after ? `, starting ${formatSeconds(window.after.beforeMs)} after “${window.after.label}”` : ""}`
    : "no failure window";
  return `${rate}  ·  ${failures}  ·  ${gap}`;
}

/** "4.00 s", "12.5 s": two decimals below 10 s, where a failover gap is told apart from another. */
function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s.toFixed(Math.abs(s) < 10 ? 2 : 1)} s`;
}

// At most 2 decimals, at least 3 significant digits for small numbers, no trailing zeros.
function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 1 : 2;
  return Number(value.toFixed(digits)).toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** The chart as an SVG document, rendered by ECharts without a browser. */
export function renderTimelineSvg(summary: TimelineSummary, options: TimelineChartOptions = {}): string {
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: options.width ?? 1200,
    height: options.height ?? defaultChartHeight(summary),
  });
  try {
    chart.setOption(timelineChartOption(summary, options.width ?? 1200));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const require = createRequire(import.meta.url);
// The font ships in an npm package (dejavu-fonts-ttf) rather than coming from /usr/share/fonts: every machine and
// CI renders the same glyphs with no system package to install, and resvg skips scanning the system's fonts.
const fontFiles = ["DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"].map((file) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${file}`),
);

/** Rasterises an SVG with resvg and the DejaVu font from the npm package. `scale`: pixels per SVG pixel. */
export function rasteriseSvg(svg: string, scale = 1.5): RenderedImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles,
      defaultFontFamily: fontFamily,
      sansSerifFamily: fontFamily,
    },
  });
  return resvg.render();
}

/** The SVG as PNG (see rasteriseSvg). `scale`: pixels per SVG pixel. */
export function svgToPng(svg: string, scale = 1.5): Buffer {
  return rasteriseSvg(svg, scale).asPng();
}

/** The chart as SVG and PNG. */
export function renderTimelineChart(
  summary: TimelineSummary,
  options: TimelineChartOptions = {},
): { svg: string; png: Buffer } {
  const svg = renderTimelineSvg(summary, options);
  return { svg, png: svgToPng(svg, options.pngScale) };
}

/** The timeline's attachments: the chart as SVG and PNG, the samples as CSV, and the figures as JSON. */
export interface TimelineArtifacts {
  readonly svg: string;
  readonly png: Buffer;
  readonly csv: string;
  readonly summary: TimelineSummary;
  /** `summary` as indented JSON, ready to attach. */
  readonly json: string;
}

/**
 * Everything a report attaches for a scenario with background traffic: the chart (SVG and PNG), the raw samples
 * (CSV) and the summary (JSON). Synchronous and CPU-bound: about 0.4–0.6 s for 60,000 samples on 2 cores, plus
 * about 0.5 s once per process to load ECharts (see bench/timeline.ts).
 */
export function renderTimeline(input: TimelineInput, chart: TimelineChartOptions = {}): TimelineArtifacts {
  const summary = summarizeTimeline(input);
  const { svg, png } = renderTimelineChart(summary, chart);
  return {
    svg,
    png,
    csv: samplesToCsv(input.samples, summary.originUnixMs),
    summary,
    json: JSON.stringify(summary, null, 2),
  };
}
