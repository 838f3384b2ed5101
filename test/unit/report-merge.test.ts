import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Envelope } from "@cucumber/messages";
import { mergeMessages } from "../../tooling/reports/merge.ts";
import { readScenarios } from "../../tooling/sharding/scenarios.ts";

const ts = (seconds: number) => ({ seconds, nanos: 0 });
const uri = "features/x.feature";

/** One shard's stream: the same feature file parsed with the shard's own ids, and one of its scenarios run. */
function shard(prefix: string, ran: 1 | 2, times: { start: number; end: number }, success: boolean): Envelope[] {
  const scenario = (n: number, line: number) => ({
    scenario: {
      id: `${prefix}${n}`,
      location: { line, column: 3 },
      tags: [],
      keyword: "Scenario",
      name: `S${n}`,
      description: "",
      steps: [],
      examples: [],
    },
  });
  const pickle = (n: number) => ({
    pickle: {
      id: `${prefix}p${n}`,
      uri,
      name: `S${n}`,
      language: "en",
      steps: [],
      tags: [],
      astNodeIds: [`${prefix}${n}`],
    },
  });
  return [
    { meta: { protocolVersion: "34", implementation: { name: "cucumber-js" } } },
    { source: { uri, data: "Feature: x", mediaType: "text/x.cucumber.gherkin+plain" } },
    {
      gherkinDocument: {
        uri,
        comments: [],
        feature: {
          location: { line: 1, column: 1 },
          tags: [],
          language: "en",
          keyword: "Feature",
          name: "x",
          description: "",
          children: [scenario(1, 3), scenario(2, 6)],
        },
      },
    },
    pickle(1),
    pickle(2),
    { testRunStarted: { id: `${prefix}run`, timestamp: ts(times.start) } },
    {
      testCase: {
        id: `${prefix}tc`,
        pickleId: `${prefix}p${ran}`,
        testSteps: [],
        testRunStartedId: `${prefix}run`,
      },
    },
    {
      testCaseStarted: { id: `${prefix}s`, testCaseId: `${prefix}tc`, attempt: 0, timestamp: ts(times.start + 1) },
    },
    { testCaseFinished: { testCaseStartedId: `${prefix}s`, timestamp: ts(times.start + 3), willBeRetried: false } },
    { testRunFinished: { testRunStartedId: `${prefix}run`, timestamp: ts(times.end), success } },
  ] as Envelope[];
}

test("two shards of one feature file merge into one document with each scenario once", () => {
  const merged = mergeMessages([
    shard("a", 1, { start: 10, end: 20 }, true),
    shard("b", 2, { start: 9, end: 25 }, false),
  ]);
  assert.equal(merged.filter((e) => e.meta).length, 1);
  assert.equal(merged.filter((e) => e.source).length, 1);
  assert.equal(merged.filter((e) => e.gherkinDocument).length, 1);
  // Only the pickles each shard ran, pointing at the kept document's nodes.
  assert.deepEqual(
    merged.flatMap((e) => (e.pickle ? [[e.pickle.id, e.pickle.astNodeIds]] : [])),
    [
      ["ap1", ["a1"]],
      ["bp2", ["a2"]],
    ],
  );
  // One run: the earliest start, the latest end, failed if any shard failed; every message names it.
  const started = merged.filter((e) => e.testRunStarted);
  assert.deepEqual(
    started.map((e) => e.testRunStarted?.id),
    ["brun"],
  );
  const finished = merged.find((e) => e.testRunFinished)?.testRunFinished;
  assert.deepEqual([finished?.timestamp.seconds, finished?.success, finished?.testRunStartedId], [25, false, "brun"]);
  assert.deepEqual(
    merged.flatMap((e) => (e.testCase ? [e.testCase.testRunStartedId] : [])),
    ["brun", "brun"],
  );
  const file = join(mkdtempSync(join(tmpdir(), "kubequake-merge-")), "m.ndjson");
  writeFileSync(file, merged.map((e) => JSON.stringify(e)).join("\n"));
  assert.deepEqual(
    readScenarios(file).map((s) => [s.key, s.seconds]),
    [
      [`${uri}:3`, 2],
      [`${uri}:6`, 2],
    ],
  );
});
