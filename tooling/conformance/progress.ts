/** What a running e2e.test reports, read from Ginkgo's verbose console output (`--ginkgo.v --ginkgo.no-color`). */
export type ProgressEvent =
  | { readonly kind: "planned"; readonly tests: number; readonly ofSpecs: number }
  | { readonly kind: "started"; readonly name: string }
  | {
      readonly kind: "finished";
      readonly name: string;
      readonly status: "passed" | "failed" | "skipped";
      readonly seconds: number;
    };

const delimiter = /^-{30}$/;
const planned = /^Will run (\d+) of (\d+) specs/;
// "• [12.345 seconds]", "• [FAILED] [60.1 seconds]", "S [SKIPPED] [0.2 seconds]"; suite nodes start with "[".
const finished = /^(•|S)(?: \[([A-Z]+)\])? \[(\d+(?:\.\d+)?) seconds\]$/;
// The header of a spec ends with its labels, "[sig-network, Conformance]"; the labels are in the text already. A failed
// spec's header also marks the node that failed ("Services [It] should …"), which is not part of its name.
const trailingLabels = / \[sig-[^\]]*\]$/;
const failedNodeMarker = / \[(It|BeforeEach|AfterEach|JustBeforeEach|JustAfterEach|DeferCleanup \([^)]*\))\] /;

function specName(header: string): string {
  return header.replace(trailingLabels, "").replace(failedNodeMarker, " ").trim();
}

/**
 * Turns Ginkgo's verbose output, line by line, into started/finished events for progress display. It is only for
 * showing progress: the JUnit report is what counts. In a serial run Ginkgo prints a delimiter, then the spec's text
 * and its source location, then the spec's timeline, then one completion line. In a parallel run (the ginkgo CLI
 * with --procs) nothing is printed when a spec starts; when it ends, the delimiter comes first, then the completion
 * line, then the spec's text.
 */
export class GinkgoProgressReader {
  private afterDelimiter = false;
  private current: string | undefined;
  private finishedAwaitingName: { status: "passed" | "failed" | "skipped"; seconds: number } | undefined;
  private pending = "";

  /** Feeds a chunk of output; returns the events completed by it. */
  read(chunk: string): ProgressEvent[] {
    const text = this.pending + chunk;
    const lines = text.split("\n");
    this.pending = lines.pop() ?? "";
    return lines.flatMap((line) => this.readLine(line.trimEnd()));
  }

  private readLine(line: string): ProgressEvent[] {
    if (delimiter.test(line)) {
      this.afterDelimiter = true;
      return [];
    }
    const wasAfterDelimiter = this.afterDelimiter;
    this.afterDelimiter = false;
    const plan = planned.exec(line);
    if (plan) return [{ kind: "planned", tests: Number(plan[1]), ofSpecs: Number(plan[2]) }];
    const done = finished.exec(line);
    if (done) {
      const status = done[1] === "S" ? "skipped" : done[2] === undefined ? "passed" : "failed";
      const seconds = Number(done[3]);
      if (this.current !== undefined) {
        const name = this.current;
        this.current = undefined;
        return [{ kind: "finished", name, status, seconds }];
      }
      if (wasAfterDelimiter) this.finishedAwaitingName = { status, seconds };
      return [];
    }
    if (line.startsWith("[sig-") && this.finishedAwaitingName !== undefined) {
      const { status, seconds } = this.finishedAwaitingName;
      this.finishedAwaitingName = undefined;
      return [{ kind: "finished", name: specName(line), status, seconds }];
    }
    if (wasAfterDelimiter && line.startsWith("[sig-")) {
      this.current = specName(line);
      return [{ kind: "started", name: this.current }];
    }
    return [];
  }
}
