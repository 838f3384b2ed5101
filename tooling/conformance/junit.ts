import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { XMLBuilder, XMLParser } from "fast-xml-parser";

/** The outcome of one Kubernetes e2e test, as its JUnit report states it. */
export interface ConformanceTestResult {
  /** The spec's full text, e.g. "[sig-network] DNS should provide DNS for services  [Conformance]". */
  readonly name: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly seconds: number;
  /** Why it was skipped, or the first line of its failure. */
  readonly reason?: string;
}

interface JUnitTestCase {
  readonly name?: string;
  readonly status?: string;
  readonly time?: string;
  readonly skipped?: { readonly message?: string } | string;
  readonly failure?: { readonly message?: string; readonly "#text"?: string } | string;
  readonly error?: { readonly message?: string; readonly "#text"?: string } | string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // A suite with one test case must still parse to an array.
  isArray: (name) => name === "testsuite" || name === "testcase",
  parseAttributeValue: false,
  parseTagValue: false,
  // Go's XML encoder writes a newline in text as "&#xA;", a numeric reference the parser decodes only with this.
  htmlEntities: true,
});

/**
 * Reads the tests that ran from a Ginkgo JUnit report (e2e.test `--report-dir` writes `junit_01.xml`).
 *
 * Ginkgo lists every spec of the suite, also those the focus filtered out: they are "skipped" with the bare message
 * "skipped" and no run time, and are left out here. A test skipped while it ran (e2eskipper: "needs 3 nodes") keeps
 * its reason. Suite-level nodes ([SynchronizedBeforeSuite], [ReportAfterSuite] …) count only when they failed,
 * because then no test had a fair chance.
 */
export function parseJUnit(xml: string): ConformanceTestResult[] {
  const document = parser.parse(xml) as {
    testsuites?: { testsuite?: { testcase?: JUnitTestCase[] }[] };
    testsuite?: { testcase?: JUnitTestCase[] }[];
  };
  const suites = document.testsuites?.testsuite ?? document.testsuite ?? [];
  const results: ConformanceTestResult[] = [];
  for (const testCase of suites.flatMap((suite) => suite.testcase ?? [])) {
    const rawName = testCase.name ?? "";
    const isTest = rawName.startsWith("[It] ");
    const name = isTest ? rawName.slice("[It] ".length) : rawName;
    const seconds = Number(testCase.time ?? 0);
    const failure = testCase.failure ?? testCase.error;
    if (failure !== undefined || /^(failed|panicked|timedout|interrupted|aborted)$/.test(testCase.status ?? "")) {
      results.push({ name, status: "failed", seconds, reason: firstLine(textOf(failure)) || testCase.status });
      continue;
    }
    if (!isTest) continue;
    if (testCase.skipped !== undefined || testCase.status === "skipped") {
      const message = typeof testCase.skipped === "string" ? testCase.skipped : (testCase.skipped?.message ?? "");
      const reason = message.replace(/^skipped( - )?/, "").trim();
      if (reason === "") continue;
      results.push({ name, status: "skipped", seconds, reason: firstLine(reason) });
      continue;
    }
    results.push({ name, status: "passed", seconds });
  }
  return results;
}

function textOf(node: JUnitTestCase["failure"]): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node;
  return node.message || node["#text"] || "";
}

/** The first line that says something, without Ginkgo's "[FAILED] " marker (the status column says that). */
function firstLine(text: string): string {
  const line = text
    .split("\n")
    .map((l) => l.replace(/^\[(FAILED|PANICKED|TIMEDOUT|INTERRUPTED|ABORTED)\]\s*/, "").trim())
    .find((l) => l !== "");
  return line === undefined ? "" : line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Writes a JUnit file with just the tests that ran, for CI tools that collect reports/junit/*.xml: e2e.test's own
 * report lists all of its 7000-odd specs, nearly all of them "skipped" by the focus. A failure's message is its first
 * line; the full account is in `logPath`.
 */
export function writeJUnitSummary(
  results: readonly ConformanceTestResult[],
  suiteName: string,
  logPath: string,
  path: string,
): void {
  const failures = results.filter((r) => r.status === "failed").length;
  const skipped = results.filter((r) => r.status === "skipped").length;
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const document = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    testsuites: {
      testsuite: {
        "@_name": suiteName,
        "@_tests": results.length,
        "@_failures": failures,
        "@_skipped": skipped,
        "@_errors": 0,
        "@_time": seconds.toFixed(3),
        testcase: results.map((r) => ({
          // Named as Ginkgo names them, so that parseJUnit reads this file back the same.
          "@_name": r.name.startsWith("[sig-") ? `[It] ${r.name}` : r.name,
          "@_classname": suiteName,
          "@_time": r.seconds.toFixed(3),
          ...(r.status === "failed"
            ? { failure: { "@_message": r.reason ?? "failed", "#text": `see ${logPath}` } }
            : {}),
          ...(r.status === "skipped" ? { skipped: { "@_message": r.reason ?? "skipped" } } : {}),
        })),
      },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, builder.build(document));
}
