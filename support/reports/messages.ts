import { readFileSync } from "node:fs";
import type { Envelope, Step } from "@cucumber/messages";

/** The outcome of one scenario run, read back from Cucumber's message stream. */
export interface ScenarioOutcome {
  readonly name: string;
  readonly uri: string;
  /** Worst step status: PASSED, FAILED, UNDEFINED, AMBIGUOUS, PENDING, SKIPPED. */
  readonly status: string;
  /** The first failure message, if any. */
  readonly message: string;
  readonly undefinedSteps: readonly { text: string; line: number }[];
}

const severity = ["PASSED", "SKIPPED", "PENDING", "UNDEFINED", "AMBIGUOUS", "FAILED"];

/** Parses a Cucumber messages NDJSON file (the `message` formatter) into per-scenario outcomes. */
export function readScenarioOutcomes(path: string): ScenarioOutcome[] {
  const pickles = new Map<
    string,
    { name: string; uri: string; steps: Map<string, { text: string; astNodeIds: readonly string[] }> }
  >();
  const stepLines = new Map<string, number>();
  const testCases = new Map<string, { pickleId: string; steps: Map<string, string | undefined> }>();
  const started = new Map<
    string,
    { testCaseId: string; status: string; message: string; undefinedSteps: { text: string; line: number }[] }
  >();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const envelope = JSON.parse(line) as Envelope;
    if (envelope.gherkinDocument) {
      const visit = (steps: readonly Step[] = []) => {
        for (const step of steps) stepLines.set(step.id, step.location.line);
      };
      for (const child of envelope.gherkinDocument.feature?.children ?? []) {
        visit(child.background?.steps);
        visit(child.scenario?.steps);
        for (const ruleChild of child.rule?.children ?? []) {
          visit(ruleChild.background?.steps);
          visit(ruleChild.scenario?.steps);
        }
      }
    } else if (envelope.pickle) {
      const steps = new Map<string, { text: string; astNodeIds: readonly string[] }>();
      for (const step of envelope.pickle.steps) steps.set(step.id, { text: step.text, astNodeIds: step.astNodeIds });
      pickles.set(envelope.pickle.id, { name: envelope.pickle.name, uri: envelope.pickle.uri, steps });
    } else if (envelope.testCase) {
      const steps = new Map<string, string | undefined>();
      for (const step of envelope.testCase.testSteps) steps.set(step.id, step.pickleStepId);
      testCases.set(envelope.testCase.id, { pickleId: envelope.testCase.pickleId, steps });
    } else if (envelope.testCaseStarted) {
      started.set(envelope.testCaseStarted.id, {
        testCaseId: envelope.testCaseStarted.testCaseId,
        status: "PASSED",
        message: "",
        undefinedSteps: [],
      });
    } else if (envelope.testStepFinished) {
      const { testCaseStartedId, testStepId, testStepResult } = envelope.testStepFinished;
      const run = started.get(testCaseStartedId);
      if (!run) continue;
      const status = String(testStepResult.status);
      if (severity.indexOf(status) > severity.indexOf(run.status)) run.status = status;
      if (status === "FAILED" && !run.message)
        run.message = testStepResult.message ?? testStepResult.exception?.message ?? "";
      if (status === "UNDEFINED") {
        const testCase = testCases.get(run.testCaseId);
        const pickle = testCase ? pickles.get(testCase.pickleId) : undefined;
        const pickleStep = pickle?.steps.get(testCase?.steps.get(testStepId) ?? "");
        if (pickleStep)
          run.undefinedSteps.push({ text: pickleStep.text, line: stepLines.get(pickleStep.astNodeIds[0] ?? "") ?? 0 });
      }
    }
  }
  return [...started.values()].map((run) => {
    const pickle = pickles.get(testCases.get(run.testCaseId)?.pickleId ?? "");
    return {
      name: pickle?.name ?? "",
      uri: pickle?.uri ?? "",
      status: run.status,
      message: run.message,
      undefinedSteps: run.undefinedSteps,
    };
  });
}
