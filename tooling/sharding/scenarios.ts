import { readFileSync } from "node:fs";
import type { Envelope } from "@cucumber/messages";

/** A scenario as a run selects it: `uri:line` runs exactly it (an Outline row has the line of its Examples row). */
export interface ScenarioRef {
  /** The pickle's id in the messages it was read from. */
  readonly id: string;
  readonly key: string;
  readonly uri: string;
  readonly line: number;
  readonly name: string;
  readonly tags: readonly string[];
  /** Seconds it took, summed over attempts, when the messages are from a real run (not a dry run). */
  readonly seconds?: number;
}

/**
 * Reads the scenarios a run selected (pickles with a test case: Cucumber lists every pickle of the files it read,
 * also those the paths' lines, --tags or --name left out), in Cucumber's order, with each one's `uri:line` and,
 * from a real run, how long it took (testCaseStarted → testCaseFinished, every attempt).
 */
export function readScenarios(messagesFile: string): ScenarioRef[] {
  const lines = new Map<string, number>();
  const pickles: { id: string; uri: string; name: string; tags: string[]; astNodeIds: readonly string[] }[] = [];
  const pickleOfTestCase = new Map<string, string>();
  const startedAt = new Map<string, { testCaseId: string; ms: number }>();
  const seconds = new Map<string, number>();
  for (const line of readFileSync(messagesFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const envelope = JSON.parse(line) as Envelope;
    if (envelope.gherkinDocument) collectLines(envelope.gherkinDocument, lines);
    else if (envelope.pickle) {
      const { id, uri, name, tags, astNodeIds } = envelope.pickle;
      pickles.push({ id, uri, name, tags: tags.map((t) => t.name), astNodeIds });
    } else if (envelope.testCase) pickleOfTestCase.set(envelope.testCase.id, envelope.testCase.pickleId);
    else if (envelope.testCaseStarted) {
      const { id, testCaseId, timestamp } = envelope.testCaseStarted;
      startedAt.set(id, { testCaseId, ms: Number(timestamp.seconds) * 1000 + timestamp.nanos / 1e6 });
    } else if (envelope.testCaseFinished) {
      const { testCaseStartedId, timestamp } = envelope.testCaseFinished;
      const started = startedAt.get(testCaseStartedId);
      const pickleId = started ? pickleOfTestCase.get(started.testCaseId) : undefined;
      if (!started || !pickleId) continue;
      const ms = Number(timestamp.seconds) * 1000 + timestamp.nanos / 1e6 - started.ms;
      seconds.set(pickleId, (seconds.get(pickleId) ?? 0) + ms / 1000);
    }
  }
  const selected = new Set(pickleOfTestCase.values());
  return pickles
    .filter((p) => selected.has(p.id))
    .map((p) => {
      // The last AST node is the Examples row for an Outline row, else the Scenario itself.
      const line = lines.get(p.astNodeIds[p.astNodeIds.length - 1] ?? "") ?? 0;
      const took = seconds.get(p.id);
      return {
        id: p.id,
        key: `${p.uri}:${line}`,
        uri: p.uri,
        line,
        name: p.name,
        tags: p.tags,
        ...(took === undefined ? {} : { seconds: took }),
      };
    });
}

/** Every AST node's line by id (scenarios, rules, steps, Examples rows), walking the document generically. */
function collectLines(node: unknown, into: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectLines(child, into);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as { id?: unknown; location?: { line?: number } };
  if (typeof record.id === "string" && typeof record.location?.line === "number")
    into.set(record.id, record.location.line);
  for (const value of Object.values(node)) if (typeof value === "object") collectLines(value, into);
}
