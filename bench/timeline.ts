// `node bench/timeline.ts`: how long the timeline attachments take for a long, busy scenario (target ≤ 2 s for
// 60 s × 1000 req/s = 60,000 samples): summary and buckets, the ECharts SVG, the resvg PNG, and the CSV. Prints
// the figures; not a timed test. Runs without a cluster (synthetic failover samples).
//   --demo FILE.png  also writes the demo chart (60 s at 300 req/s, a 4 s refused-then-reset window after a pod
//                    kill, an undo) to FILE.png, with FILE.svg, FILE.csv and FILE.json beside it, to look at.
import { writeFileSync } from "node:fs";
import { syntheticFailover } from "../support/chaos/timeline-synthetic.ts";

// Loaded here rather than imported statically so that loading ECharts and resvg is measured too.
const loadStart = performance.now();
const { renderTimeline, renderTimelineSvg, svgToPng } = await import("../support/chaos/timeline-chart.ts");
const { samplesToCsv, summarizeTimeline } = await import("../support/chaos/timeline.ts");
const loadMs = performance.now() - loadStart;

const runs = 5;
const { samples, events } = syntheticFailover({
  seconds: 60,
  ratePerSecond: 1000,
  killAtS: 20,
  failureS: 4,
  failingShare: 1 / 3,
  undoAtS: 45,
});
const input = { scenario: "benchmark: 60 s at 1000 req/s", samples, events, requestedRatePerSecond: 1000 };

// The first render pays for loading ECharts' modules and the font; a report pays it once per worker.
const coldStart = performance.now();
renderTimeline(input);
const coldMs = performance.now() - coldStart;

const stages = { summary: [] as number[], svg: [] as number[], png: [] as number[], csv: [] as number[] };
const totals: number[] = [];
let sizes = { svg: 0, png: 0, csv: 0 };
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const summary = summarizeTimeline(input);
  const t1 = performance.now();
  const svg = renderTimelineSvg(summary);
  const t2 = performance.now();
  const png = svgToPng(svg);
  const t3 = performance.now();
  const csv = samplesToCsv(samples, summary.originUnixMs);
  const t4 = performance.now();
  stages.summary.push(t1 - t0);
  stages.svg.push(t2 - t1);
  stages.png.push(t3 - t2);
  stages.csv.push(t4 - t3);
  totals.push(t4 - t0);
  sizes = { svg: svg.length, png: png.length, csv: csv.length };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;
console.log(`timeline attachments for ${samples.length.toLocaleString("en-US")} samples (median of ${runs} runs):`);
console.log(
  `  summary + buckets ${ms(median(stages.summary))}, SVG (ECharts) ${ms(median(stages.svg))}, PNG (resvg) ${ms(median(stages.png))}, CSV ${ms(median(stages.csv))}`,
);
console.log(
  `  total ${ms(median(totals))} (max ${ms(Math.max(...totals))}); first render in a fresh process ${ms(coldMs)} after ${ms(loadMs)} loading ECharts and resvg; target ≤ 2000 ms`,
);
console.log(
  `  sizes: SVG ${(sizes.svg / 1024).toFixed(0)} KiB, PNG ${(sizes.png / 1024).toFixed(0)} KiB, CSV ${(sizes.csv / 1024 / 1024).toFixed(1)} MiB`,
);

const demoAt = process.argv.indexOf("--demo");
if (demoAt !== -1) {
  const file = process.argv[demoAt + 1] ?? "/tmp/timeline-demo.png";
  const demo = syntheticFailover({
    seconds: 60,
    ratePerSecond: 300,
    killAtS: 20,
    failureS: 4,
    failingShare: 1,
    undoAtS: 45,
  });
  const out = renderTimeline({
    scenario: "A pod killed under steady traffic fails over to the survivors",
    ...demo,
    requestedRatePerSecond: 300,
  });
  const base = file.replace(/\.png$/, "");
  writeFileSync(file, out.png);
  writeFileSync(`${base}.svg`, out.svg);
  writeFileSync(`${base}.csv`, out.csv);
  writeFileSync(`${base}.json`, out.json);
  console.log(`  demo chart: ${file} (+ .svg, .csv, .json)`);
}
