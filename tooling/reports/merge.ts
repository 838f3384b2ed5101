import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { CucumberHtmlStream } from "@cucumber/html-formatter";
import type { Envelope } from "@cucumber/messages";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { UserError } from "../../support/errors/user-error.ts";

/** What `report merge` found and wrote, for its summary line. */
export interface MergeSummary {
  readonly shards: number;
  readonly scenarios: number;
  readonly allureFiles: number;
  readonly junitTests: number;
}

/**
 * Merges the report directories of several shards (each a `kubequake run --shard i/n` reports dir) into `out`:
 * Cucumber messages (and from them reports/cucumber.html), JUnit, and the Allure results (the Allure HTML report
 * with its history is generated from them by the caller). A scenario in two shards is an error: the shards of one
 * run never overlap, so it means directories of different runs were mixed.
 */
export async function mergeReports(dirs: readonly string[], out: string): Promise<MergeSummary> {
  for (const dir of dirs) {
    if (!existsSync(join(dir, "cucumber-messages.ndjson")))
      throw new UserError(
        `${dir} holds no cucumber-messages.ndjson, so it is not the reports directory of a kubequake run`,
        "pass each shard's reports directory (KUBEQUAKE_REPORTS of that run, default reports/).",
      );
  }
  mkdirSync(join(out, "junit"), { recursive: true });
  const envelopes = mergeMessages(dirs.map((dir) => readEnvelopes(join(dir, "cucumber-messages.ndjson"))));
  const scenarios = envelopes.filter((e) => e.testCaseStarted && e.testCaseStarted.attempt === 0).length;
  writeFileSync(join(out, "cucumber-messages.ndjson"), `${envelopes.map((e) => JSON.stringify(e)).join("\n")}\n`);
  await writeHtml(envelopes, join(out, "cucumber.html"));
  const junitTests = mergeJUnit(
    dirs.map((dir) => join(dir, "junit", "cucumber.xml")).filter((f) => existsSync(f)),
    join(out, "junit", "cucumber.xml"),
  );
  let allureFiles = 0;
  mkdirSync(join(out, "allure-results"), { recursive: true });
  for (const dir of dirs) {
    const results = join(dir, "allure-results");
    if (!existsSync(results)) continue;
    // Allure names every file by a fresh UUID, so the shards' files never collide.
    for (const file of readdirSync(results)) {
      copyFileSync(join(results, file), join(out, "allure-results", file));
      allureFiles++;
    }
  }
  return { shards: dirs.length, scenarios, allureFiles, junitTests };
}

function readEnvelopes(file: string): Envelope[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Envelope);
}

/**
 * One message stream from several runs' streams. Every shard parses the feature files it runs, so a file appears
 * in several shards under different (random) ids: the first copy is kept and the others' AST ids are mapped onto
 * it (the documents are the same source, so a parallel walk pairs their nodes). One meta, one testRunStarted (the
 * earliest), one testRunFinished (the latest; success only if every shard succeeded); everything else is kept.
 */
export function mergeMessages(streams: readonly (readonly Envelope[])[]): Envelope[] {
  const documents = new Map<string, Envelope["gherkinDocument"]>();
  const sources = new Set<string>();
  const header: Envelope[] = [];
  const glue: Envelope[] = [];
  const body: Envelope[] = [];
  let meta: Envelope | undefined;
  let started: NonNullable<Envelope["testRunStarted"]> | undefined;
  let finished: NonNullable<Envelope["testRunFinished"]> | undefined;
  const runIds: string[] = [];
  for (const stream of streams) {
    // Every shard lists every pickle of the files it read; only those with a test case ran there.
    const ran = new Set(stream.flatMap((e) => (e.testCase ? [e.testCase.pickleId] : [])));
    const ids = new Map<string, string>();
    const mapId = (id: string) => ids.get(id) ?? id;
    for (const envelope of stream) {
      if (envelope.meta) meta ??= envelope;
      else if (envelope.source) {
        if (!sources.has(envelope.source.uri)) header.push(envelope);
        sources.add(envelope.source.uri);
      } else if (envelope.gherkinDocument) {
        const uri = envelope.gherkinDocument.uri ?? "";
        const kept = documents.get(uri);
        if (kept) pairIds(envelope.gherkinDocument, kept, ids);
        else {
          documents.set(uri, envelope.gherkinDocument);
          header.push(envelope);
        }
      } else if (envelope.pickle) {
        const pickle = envelope.pickle;
        if (!ran.has(pickle.id)) continue;
        header.push({
          pickle: {
            ...pickle,
            astNodeIds: pickle.astNodeIds.map(mapId),
            tags: pickle.tags.map((t) => ({ ...t, astNodeId: mapId(t.astNodeId) })),
            steps: pickle.steps.map((s) => ({ ...s, astNodeIds: s.astNodeIds.map(mapId) })),
          },
        });
      } else if (envelope.testRunStarted) {
        const run = envelope.testRunStarted;
        if (run.id) runIds.push(run.id);
        if (!started || timestampMs(run.timestamp) < timestampMs(started.timestamp)) started = run;
      } else if (envelope.testRunFinished) {
        const run = envelope.testRunFinished;
        const success = (finished?.success ?? true) && run.success;
        if (!finished || timestampMs(run.timestamp) > timestampMs(finished.timestamp)) finished = run;
        finished = { ...finished, success };
      } else if (
        envelope.stepDefinition ||
        envelope.hook ||
        envelope.parameterType ||
        envelope.undefinedParameterType
      ) {
        glue.push(envelope);
      } else body.push(envelope);
    }
  }
  // Later messages name their run; they all belong to the one merged run now.
  const runId = started?.id;
  const rerun = (envelope: Envelope): Envelope => {
    if (!runId) return envelope;
    const [key, value] = Object.entries(envelope)[0] as [string, Record<string, unknown>];
    return value && typeof value === "object" && typeof value.testRunStartedId === "string"
      ? ({ [key]: { ...value, testRunStartedId: runId } } as Envelope)
      : envelope;
  };
  return [
    ...(meta ? [meta] : []),
    ...header,
    ...glue,
    ...(started ? [{ testRunStarted: started }] : []),
    ...body.map(rerun),
    ...(finished ? [rerun({ testRunFinished: finished })] : []),
  ];
}

/** Walks two copies of one Gherkin document side by side, mapping each id of `copy` to the id in `kept`. */
function pairIds(copy: unknown, kept: unknown, ids: Map<string, string>): void {
  if (Array.isArray(copy) && Array.isArray(kept)) {
    copy.forEach((item, index) => {
      pairIds(item, kept[index], ids);
    });
    return;
  }
  if (!copy || !kept || typeof copy !== "object" || typeof kept !== "object") return;
  for (const [key, value] of Object.entries(copy)) {
    const other = (kept as Record<string, unknown>)[key];
    if ((key === "id" || key === "astNodeId") && typeof value === "string" && typeof other === "string")
      ids.set(value, other);
    else if (typeof value === "object") pairIds(value, other, ids);
  }
}

function timestampMs(t: { seconds: number; nanos: number }): number {
  return Number(t.seconds) * 1000 + t.nanos / 1e6;
}

async function writeHtml(envelopes: readonly Envelope[], file: string): Promise<void> {
  const html = new CucumberHtmlStream();
  const chunks: string[] = [];
  html.on("data", (chunk: Buffer | string) => chunks.push(chunk.toString()));
  for (const envelope of envelopes) html.write(envelope);
  html.end();
  await finished(html);
  writeFileSync(file, chunks.join(""));
}

/** Every shard's test cases in one `<testsuite name="kubequake">`, with the counts and time summed. */
export function mergeJUnit(files: readonly string[], out: string): number {
  const cases: unknown[] = [];
  let time = 0;
  let skipped = 0;
  let failures = 0;
  let errors = 0;
  let timestamp: string | undefined;
  for (const file of files) {
    for (const suite of readJUnitSuites(readFileSync(file, "utf8"))) {
      cases.push(...((suite.testcase as unknown[]) ?? []));
      time += Number(suite["@_time"] ?? 0);
      skipped += Number(suite["@_skipped"] ?? 0);
      failures += Number(suite["@_failures"] ?? 0);
      errors += Number(suite["@_errors"] ?? 0);
      const at = suite["@_timestamp"] as string | undefined;
      if (at && (!timestamp || at < timestamp)) timestamp = at;
    }
  }
  writeJUnitSuite(out, {
    "@_name": "kubequake",
    // Summed over shards: the CPU-time view; the wall clock of parallel shards is shorter.
    "@_time": time.toFixed(3),
    "@_tests": cases.length,
    "@_skipped": skipped,
    "@_failures": failures,
    "@_errors": errors,
    ...(timestamp ? { "@_timestamp": timestamp } : {}),
    testcase: cases,
  });
  return cases.length;
}

const xmlOptions = { ignoreAttributes: false, attributeNamePrefix: "@_", cdataPropName: "#cdata" } as const;

/** The `<testsuite>` elements of a JUnit report (top-level, or under `<testsuites>`), attributes prefixed "@_". */
export function readJUnitSuites(xml: string): Record<string, unknown>[] {
  const parser = new XMLParser({ ...xmlOptions, isArray: (name) => name === "testcase" || name === "testsuite" });
  const document = parser.parse(xml) as {
    testsuite?: Record<string, unknown>[];
    testsuites?: { testsuite?: Record<string, unknown>[] };
  };
  return [...(document.testsuite ?? []), ...(document.testsuites?.testsuite ?? [])];
}

/** Writes one `<testsuite>` (attributes prefixed "@_", its `testcase` list) as a JUnit report. */
export function writeJUnitSuite(out: string, suite: Record<string, unknown>): void {
  const builder = new XMLBuilder({ ...xmlOptions, format: true, suppressEmptyNode: true });
  writeFileSync(out, builder.build({ "?xml": { "@_version": "1.0" }, testsuite: suite }));
}
