import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Envelope } from "@cucumber/messages";
import { readJUnitSuites, writeJUnitSuite } from "./merge.ts";
import { readScenarioOutcomes } from "./messages.ts";

/*
 * The matrix's reports: the same scenarios run once per cluster variant (kube-proxy's mode), each run with its own
 * reports directory, then joined where the variant is a parameter (Allure's "proxy mode", a suffix on JUnit names) and
 * compared side by side on what the steady traffic measured. Cucumber's own HTML stays per variant: its message
 * stream has no parameters, and the same pickle twice in one stream would read as a retry.
 */

/** One variant's run: its name as reports show it ("nftables") and its reports directory. */
export interface VariantRun {
  readonly variant: string;
  readonly dir: string;
}

/** What one scenario's steady traffic measured in one run, and how the scenario ended. */
export interface ScenarioFigures {
  readonly uri: string;
  readonly name: string;
  /** PASSED, FAILED, SKIPPED… (the worst step status). */
  readonly status: string;
  readonly requests?: number;
  readonly failed?: number;
  /** The longest failure window, ms; null when nothing failed. */
  readonly longestWindowMs?: number | null;
  readonly p99Ms?: number;
}

/** The figures of every scenario of one run, from its Cucumber messages (the traffic summaries it attached). */
export function readRunFigures(messagesFile: string): ScenarioFigures[] {
  const envelopes = readFileSync(messagesFile, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Envelope);
  const pickles = new Map(envelopes.flatMap((e) => (e.pickle ? [[e.pickle.id, e.pickle] as const] : [])));
  const testCases = new Map(
    envelopes.flatMap((e) => (e.testCase ? [[e.testCase.id, e.testCase.pickleId] as const] : [])),
  );
  const started = new Map(
    envelopes.flatMap((e) =>
      e.testCaseStarted ? [[e.testCaseStarted.id, e.testCaseStarted.testCaseId] as const] : [],
    ),
  );
  const traffic = new Map<string, Omit<ScenarioFigures, "uri" | "name" | "status">>();
  for (const { attachment } of envelopes) {
    if (attachment?.fileName !== "traffic-summary.txt" || !attachment.testCaseStartedId) continue;
    const pickle = pickles.get(testCases.get(started.get(attachment.testCaseStartedId) ?? "") ?? "");
    const summary = parseTrafficSummary(
      attachment.contentEncoding === "BASE64" ? Buffer.from(attachment.body, "base64").toString() : attachment.body,
    );
    if (pickle && summary) traffic.set(`${pickle.uri}\t${pickle.name}`, summary);
  }
  // The last attempt of each scenario (a @flaky one may have been retried).
  const outcomes = new Map(readScenarioOutcomes(messagesFile).map((o) => [`${o.uri}\t${o.name}`, o]));
  return [...outcomes.values()].map((o) => ({
    uri: o.uri,
    name: o.name,
    status: o.status,
    ...traffic.get(`${o.uri}\t${o.name}`),
  }));
}

/** A traffic summary attachment: a line of text, a blank line, then the timeline's JSON. */
function parseTrafficSummary(text: string): Omit<ScenarioFigures, "uri" | "name" | "status"> | undefined {
  const json = text.slice(text.indexOf("\n\n{") + 2);
  try {
    const summary = JSON.parse(json) as {
      total?: number;
      failed?: number;
      latencyMs?: { p99?: number };
      longestFailureWindow?: { durationMs?: number } | null;
    };
    return {
      requests: summary.total,
      failed: summary.failed,
      longestWindowMs: summary.longestFailureWindow?.durationMs ?? null,
      p99Ms: summary.latencyMs?.p99,
    };
  } catch {
    return undefined;
  }
}

/** One row of the side-by-side table: a scenario, and its figures under each variant (in the runs' order). */
export interface SideBySideRow {
  readonly uri: string;
  readonly name: string;
  readonly byVariant: readonly (ScenarioFigures | undefined)[];
}

/**
 * The scenarios of every run, each with its figures per variant: those whose result differs between variants first
 * (what a team switching kube-proxy mode must look at), then those with steady traffic, then the rest.
 */
export function sideBySide(runs: readonly { variant: string; figures: readonly ScenarioFigures[] }[]): SideBySideRow[] {
  const keys = [...new Set(runs.flatMap((r) => r.figures.map((f) => `${f.uri}\t${f.name}`)))];
  const rows = keys.map((key) => {
    const [uri = "", name = ""] = key.split("\t");
    return { uri, name, byVariant: runs.map((r) => r.figures.find((f) => `${f.uri}\t${f.name}` === key)) };
  });
  const rank = (row: SideBySideRow) =>
    differs(row) ? 0 : row.byVariant.some((f) => f?.requests !== undefined) ? 1 : 2;
  // Array.prototype.sort is stable: within a rank, the runs' own order.
  return rows.sort((a, b) => rank(a) - rank(b));
}

/** The side-by-side table as Markdown: a scenario per row, result and traffic figures per variant. */
export function sideBySideMarkdown(variants: readonly string[], rows: readonly SideBySideRow[]): string {
  const header = ["scenario", ...variants.map((v) => `${v}: result · failed/requests · longest failure window · p99`)];
  const cell = (f: ScenarioFigures | undefined) => {
    if (!f) return "not run";
    const result = f.status.toLowerCase();
    if (f.requests === undefined) return result;
    const window = f.longestWindowMs === null || f.longestWindowMs === undefined ? "none" : seconds(f.longestWindowMs);
    return `${result} · ${f.failed}/${f.requests} · ${window} · ${f.p99Ms?.toFixed(1)} ms`;
  };
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.uri}: ${r.name.replaceAll("|", "\\|")} | ${r.byVariant.map(cell).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Rows whose result differs between variants: what a team switching kube-proxy mode must look at first. */
export function differingResults(rows: readonly SideBySideRow[]): SideBySideRow[] {
  return rows.filter(differs);
}

/**
 * Rows skipped on some variants and run on the others, with one result there: scenarios tagged for one variant
 * (`@needs:proxy-mode=nftables`), expected to differ, so listed apart from the differing results.
 */
export function variantOnlyScenarios(rows: readonly SideBySideRow[]): SideBySideRow[] {
  return rows.filter(variantOnly);
}

function variantOnly(row: SideBySideRow): boolean {
  const ran = new Set(row.byVariant.map((f) => f?.status ?? "not run").filter((s) => s !== "SKIPPED"));
  return ran.size === 1 && row.byVariant.some((f) => f?.status === "SKIPPED");
}

function differs(row: SideBySideRow): boolean {
  return new Set(row.byVariant.map((f) => f?.status ?? "not run")).size > 1 && !variantOnly(row);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * An Allure result of one variant's run, as the matrix's: the variant becomes a parameter, and part of the history id
 * and test case id, so Allure shows the scenario once per variant instead of taking one run for a retry of the other.
 */
export function withVariantParameter(
  result: Record<string, unknown>,
  name: string,
  variant: string,
): Record<string, unknown> {
  const parameters = Array.isArray(result.parameters) ? result.parameters : [];
  const suffix = createHash("md5").update(`${name}=${variant}`).digest("hex");
  return {
    ...result,
    name: `${result.name} [${variant}]`,
    parameters: [...parameters, { name, value: variant }],
    historyId: `${String(result.historyId ?? "").split(":")[0]}:${suffix}`,
    testCaseId: `${result.testCaseId ?? ""}-${variant}`,
  };
}

/** A JUnit report of one variant's run with the variant in every test case's name ("… [nftables]"). */
export function junitWithVariant(xml: string, variant: string): unknown[] {
  return readJUnitSuites(xml).flatMap((suite) =>
    ((suite.testcase as Record<string, unknown>[]) ?? []).map((c) => ({
      ...c,
      "@_name": `${c["@_name"]} [${variant}]`,
    })),
  );
}

/** What {@link writeMatrixReports} wrote, for the summary line. */
export interface MatrixSummary {
  readonly junitTests: number;
  readonly allureResults: number;
  readonly table: string;
  readonly differing: readonly SideBySideRow[];
}

/**
 * Joins the variants' reports under `out`: junit/cucumber.xml (one suite, names suffixed), allure-results/ (the
 * variant a parameter), matrix.md (the side-by-side table), and each variant's own Cucumber HTML left in its dir.
 */
export function writeMatrixReports(runs: readonly VariantRun[], parameter: string, out: string): MatrixSummary {
  mkdirSync(join(out, "junit"), { recursive: true });
  mkdirSync(join(out, "allure-results"), { recursive: true });
  const cases: unknown[] = [];
  let allureResults = 0;
  for (const run of runs) {
    const junit = join(run.dir, "junit", "cucumber.xml");
    if (existsSync(junit)) cases.push(...junitWithVariant(readFileSync(junit, "utf8"), run.variant));
    const results = join(run.dir, "allure-results");
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results)) {
      if (file.endsWith("-result.json")) {
        const result = JSON.parse(readFileSync(join(results, file), "utf8")) as Record<string, unknown>;
        writeFileSync(
          join(out, "allure-results", file),
          JSON.stringify(withVariantParameter(result, parameter, run.variant)),
        );
        allureResults += 1;
      } else {
        // Attachments and containers are named by fresh UUIDs: the runs' files never collide.
        copyFileSync(join(results, file), join(out, "allure-results", file));
      }
    }
  }
  const failures = cases.filter((c) => (c as Record<string, unknown>).failure !== undefined).length;
  const skipped = cases.filter((c) => (c as Record<string, unknown>).skipped !== undefined).length;
  writeJUnitSuite(join(out, "junit", "cucumber.xml"), {
    "@_name": "kubequake matrix",
    "@_tests": cases.length,
    "@_failures": failures,
    "@_skipped": skipped,
    testcase: cases,
  });
  const variants = runs.map((r) => r.variant);
  const rows = sideBySide(
    runs.map((r) => ({
      variant: r.variant,
      figures: existsSync(join(r.dir, "cucumber-messages.ndjson"))
        ? readRunFigures(join(r.dir, "cucumber-messages.ndjson"))
        : [],
    })),
  );
  const table = sideBySideMarkdown(variants, rows);
  const differing = differingResults(rows);
  const variantOnlyCount = variantOnlyScenarios(rows).length;
  writeFileSync(
    join(out, "matrix.md"),
    [
      `# kubequake matrix: ${variants.join(" vs ")}`,
      "",
      "Each scenario ran once per variant, one after another on the same machine. Traffic figures are those of the",
      "scenario's steady traffic (failed of sent requests, the longest run of failures, p99 latency).",
      "",
      differing.length === 0
        ? "Every scenario had the same result on every variant."
        : `Results that differ between variants: ${differing.length}.`,
      ...(variantOnlyCount > 0
        ? [
            "",
            `Scenarios for some variants only (skipped on the others by their @needs tags, the reason in each run's report): ${variantOnlyCount}.`,
          ]
        : []),
      "",
      table,
      ...variants.map((v, i) => `- ${v}: ${runs[i]!.dir}/cucumber.html`),
      "",
    ].join("\n"),
  );
  return { junitTests: cases.length, allureResults, table, differing };
}
