// `kubequake lint`'s check of remembered values: a `{remembered:x}` that no earlier step of its scenario (Background
// included) remembers would fail only when the scenario reaches it, after minutes of set-up on the cluster.
import { generateMessages } from "@cucumber/gherkin";
import { IdGenerator, SourceMediaType, type Step } from "@cucumber/messages";
import { rememberedPlaceholder, rememberingStep } from "../../support/scenario/remembered-values.ts";
import type { FeatureText } from "../catalog/catalog.ts";
import type { LintProblem } from "./lint.ts";

/**
 * Each use of `{remembered:<name>}` (in a step's text, docstring or data table) before any step of the same scenario
 * remembers `<name>`, with file:line and the names remembered by then. Each pickle is walked in run order, so an
 * Outline's rows and a Background count as they run; a use is reported once however many pickles share it.
 */
export function rememberedValueProblems(feature: FeatureText): LintProblem[] {
  const envelopes = generateMessages(feature.text, feature.file, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeGherkinDocument: true,
    includePickles: true,
    includeSource: false,
    newId: IdGenerator.incrementing(),
  });
  const lines = new Map<string, number>();
  const collect = (steps: readonly Step[]) => {
    for (const step of steps) lines.set(step.id, step.location.line);
  };
  const problems = new Map<string, LintProblem>();
  for (const envelope of envelopes) {
    for (const child of envelope.gherkinDocument?.feature?.children ?? []) {
      collect(child.background?.steps ?? child.scenario?.steps ?? []);
      for (const ruleChild of child.rule?.children ?? []) {
        collect(ruleChild.background?.steps ?? ruleChild.scenario?.steps ?? []);
      }
    }
    const pickle = envelope.pickle;
    if (!pickle) continue;
    const remembered: string[] = [];
    for (const step of pickle.steps) {
      const line = lines.get(step.astNodeIds[0] ?? "") ?? 0;
      const texts = [
        step.text,
        step.argument?.docString?.content ?? "",
        ...(step.argument?.dataTable?.rows ?? []).flatMap((row) => row.cells.map((cell) => cell.value)),
      ];
      for (const text of texts) {
        for (const [, name] of text.matchAll(rememberedPlaceholder)) {
          if (remembered.includes(name!)) continue;
          problems.set(`${line}:${name}`, {
            file: feature.file,
            line,
            severity: "error",
            message: `{remembered:${name}} is used before any step of the scenario "${pickle.name}" remembers "${name}"`,
            expected: `an earlier step (Background included) ending in: is remembered as "${name}"`,
            seen: `remembered by then: ${remembered.map((r) => `"${r}"`).join(", ") || "nothing"}`,
          });
        }
      }
      const name = rememberingStep.exec(step.text)?.[1];
      if (name !== undefined && !remembered.includes(name)) remembered.push(name);
    }
  }
  return [...problems.values()];
}
