import { readFileSync } from "node:fs";
import { type Envelope, TestStepResultStatus } from "@cucumber/messages";
import { Query } from "@cucumber/query";

/** The outcome of one scenario run, read back from Cucumber's message stream. */
export interface ScenarioOutcome {
  readonly name: string;
  readonly uri: string;
  /** Worst step status: PASSED, FAILED, UNDEFINED, AMBIGUOUS, PENDING, SKIPPED. */
  readonly status: string;
  /** The first failure message, if any. */
  readonly message: string;
  readonly undefinedSteps: readonly { text: string; line: number }[];
  /** Which attempt this outcome is: 0 for the first; more when a scenario tagged @flaky was retried. */
  readonly attempt: number;
}

/** Scenarios that passed only on a retry (tagged @flaky): they pass the run, and are reported as flaky. */
export function flakyOutcomes(outcomes: readonly ScenarioOutcome[]): ScenarioOutcome[] {
  return outcomes.filter((o) => o.attempt > 0 && o.status === TestStepResultStatus.PASSED);
}

/**
 * Parses a Cucumber messages NDJSON file (the `message` formatter) into per-scenario outcomes, with @cucumber/query
 * doing the bookkeeping (test cases, pickles, steps; an attempt that will be retried is not an outcome).
 */
export function readScenarioOutcomes(path: string): ScenarioOutcome[] {
  const query = new Query();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim()) query.update(JSON.parse(line) as Envelope);
  }
  return query.findAllTestCaseStarted().map((testCaseStarted) => {
    const pickle = query.findPickleBy(testCaseStarted);
    const finished = query.findTestStepFinishedAndTestStepBy(testCaseStarted);
    const failed = finished.find(([step]) => step.testStepResult.status === TestStepResultStatus.FAILED)?.[0];
    const undefinedSteps = finished.flatMap(([step, testStep]) => {
      if (step.testStepResult.status !== TestStepResultStatus.UNDEFINED) return [];
      const pickleStep = query.findPickleStepBy(testStep);
      if (!pickleStep) return [];
      return [{ text: pickleStep.text, line: query.findStepBy(pickleStep)?.location.line ?? 0 }];
    });
    return {
      name: pickle?.name ?? "",
      uri: pickle?.uri ?? "",
      status: String(query.findMostSevereTestStepResultBy(testCaseStarted)?.status ?? TestStepResultStatus.PASSED),
      message: failed ? (failed.testStepResult.message ?? failed.testStepResult.exception?.message ?? "") : "",
      undefinedSteps,
      attempt: testCaseStarted.attempt,
    };
  });
}
