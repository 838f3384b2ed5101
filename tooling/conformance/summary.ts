import type { ConformanceTestResult } from "./junit.ts";
import type { ProgressEvent } from "./progress.ts";
import type { ConformanceRun } from "./run.ts";

const label: Record<ConformanceTestResult["status"], string> = { passed: "PASS", failed: "FAIL", skipped: "SKIP" };

/** One line per test (status, seconds, name), failures and skips followed by their reason; slowest first. */
export function formatResultTable(run: ConformanceRun): string[] {
  const order = { failed: 0, skipped: 1, passed: 2 };
  const sorted = [...run.results].sort((a, b) => order[a.status] - order[b.status] || b.seconds - a.seconds);
  const lines = ["status  seconds  test"];
  for (const result of sorted) {
    lines.push(`${label[result.status].padEnd(6)}  ${result.seconds.toFixed(1).padStart(7)}  ${result.name}`);
    if (result.reason) lines.push(`${" ".repeat(17)}${result.status === "skipped" ? "skipped: " : ""}${result.reason}`);
  }
  return lines;
}

/** The final line: the tally, any tests the report lacks, and where the time went. Seconds. */
export function formatTally(run: ConformanceRun): string {
  const missing = run.missing > 0 ? `, ${run.missing} MISSING from the report` : "";
  return (
    `${run.selection.description}: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped${missing}` +
    ` in ${run.runSeconds.toFixed(0)} s (build and image load ${run.buildSeconds.toFixed(0)} s)`
  );
}

/** Turns progress events into short lines ("[3/25] PASS   12.3s [sig-network] …") for a terminal or CI log. */
export function progressPrinter(write: (line: string) => void): (event: ProgressEvent) => void {
  let planned = 0;
  let done = 0;
  return (event) => {
    if (event.kind === "planned") {
      planned = event.tests;
      write(`will run ${event.tests} of e2e.test's ${event.ofSpecs} specs`);
    } else if (event.kind === "started") {
      write(`[${done + 1}/${planned || "?"}] ...    ${event.name}`);
    } else {
      done += 1;
      write(
        `[${done}/${planned || "?"}] ${label[event.status]}  ${event.seconds.toFixed(1).padStart(6)}s ${event.name}`,
      );
    }
  };
}
