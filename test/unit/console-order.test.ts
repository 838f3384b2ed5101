import assert from "node:assert/strict";
import { test } from "node:test";
import type { Envelope } from "@cucumber/messages";
import { consoleOrder } from "../../tooling/reports/console-order.ts";

const at = { seconds: 0, nanos: 0 };
const started = (id: string): Envelope => ({ testCaseStarted: { id, testCaseId: id, attempt: 0, timestamp: at } });
const stepStarted = (c: string, s: string): Envelope => ({
  testStepStarted: { testCaseStartedId: c, testStepId: s, timestamp: at },
});
const stepFinished = (c: string, s: string): Envelope => ({
  testStepFinished: {
    testCaseStartedId: c,
    testStepId: s,
    timestamp: at,
    testStepResult: { status: "PASSED" as never, duration: at },
  },
});
const attached = (c: string, s: string, body: string): Envelope => ({
  attachment: {
    testCaseStartedId: c,
    testStepId: s,
    body,
    mediaType: "text/plain",
    contentEncoding: "IDENTITY" as never,
  },
});
const finished = (c: string): Envelope => ({
  testCaseFinished: { testCaseStartedId: c, timestamp: at, willBeRetried: false },
});

function describe(envelope: Envelope): string {
  if (envelope.testCaseStarted) return `start ${envelope.testCaseStarted.id}`;
  if (envelope.testStepFinished) return `step ${envelope.testStepFinished.testStepId}`;
  if (envelope.attachment) return `table ${envelope.attachment.body}`;
  if (envelope.testCaseFinished) return `end ${envelope.testCaseFinished.testCaseStartedId}`;
  return envelope.testStepStarted ? "" : "other";
}

test("each scenario is printed whole, each attachment after its own step's line", () => {
  const printed: string[] = [];
  const handle = consoleOrder((envelope) => printed.push(describe(envelope)));
  // Two workers: a and b interleave; each step attaches its table while it runs (before it finishes).
  for (const envelope of [
    started("a"),
    started("b"),
    stepStarted("a", "a1"),
    stepStarted("b", "b1"),
    attached("a", "a1", "A"),
    attached("b", "b1", "B"),
    stepFinished("b", "b1"),
    stepFinished("a", "a1"),
    stepStarted("a", "a2"),
    stepFinished("a", "a2"),
    finished("b"),
    finished("a"),
    { testRunFinished: { success: true, timestamp: at } },
  ])
    handle(envelope);
  assert.deepEqual(printed.filter(Boolean), [
    "start b",
    "step b1",
    "table B",
    "end b",
    "start a",
    "step a1",
    "table A",
    "step a2",
    "end a",
    "other",
  ]);
});
