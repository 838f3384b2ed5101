// A Scenario Outline's `<placeholder>` that no Examples column fills: Gherkin leaves it in the step as written, so
// the step then matches no definition, and a plain "unknown step" would hide the real mistake (a missing or misspelt
// column). Read from the syntax tree, since pickles keep the placeholder but not where the columns are.
import type { FeatureChild, GherkinDocument, RuleChild, Scenario } from "@cucumber/messages";
import type { LintProblem } from "./problem.ts";

/**
 * The problems of every placeholder no Examples table of its Outline has a column for, and the lines of the steps
 * that have one (lint reports nothing else about those steps: they cannot match a definition as written).
 */
export function missingColumns(
  file: string,
  document: GherkinDocument,
): { problems: LintProblem[]; placeholderLines: Set<number> } {
  const problems: LintProblem[] = [];
  const placeholderLines = new Set<number>();
  for (const scenario of outlines(document.feature?.children ?? [])) {
    const tables = scenario.examples.map((examples) => ({
      line: examples.location.line,
      columns: (examples.tableHeader?.cells ?? []).map((cell) => cell.value),
    }));
    for (const step of scenario.steps) {
      const texts = [
        step.text,
        step.docString?.content ?? "",
        ...(step.dataTable?.rows ?? []).flatMap((row) => row.cells.map((cell) => cell.value)),
      ];
      const names = [...new Set(texts.flatMap((text) => [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!)))];
      for (const name of names) {
        const lacking = tables.filter((table) => !table.columns.includes(name));
        if (lacking.length === 0) continue;
        placeholderLines.add(step.location.line);
        problems.push(
          tables.length === 0
            ? {
                file,
                line: step.location.line,
                severity: "error",
                message: `the placeholder <${name}> has no Examples to fill it: the Scenario Outline on line ${scenario.location.line} has no Examples table`,
                expected: `an Examples table with a column "${name}" under the Scenario Outline`,
                seen: `${step.keyword.trim()} ${step.text}`,
              }
            : {
                file,
                line: step.location.line,
                severity: "error",
                message: `the placeholder <${name}> names no column of the Examples at ${lacking.map((t) => `${file}:${t.line}`).join(", ")}`,
                expected: `a column "${name}" in ${lacking.length === 1 ? "that Examples table" : "each of those Examples tables"}, or a placeholder named after one of its columns: ${lacking[0]!.columns.map((c) => `<${c}>`).join(", ") || "(it has no header row)"}`,
                seen: `${step.keyword.trim()} ${step.text}`,
              },
        );
      }
    }
  }
  return { problems, placeholderLines };
}

/** Scenario Outlines (with Examples, or written with the Outline keyword), Rules' included. */
function outlines(children: readonly (FeatureChild | RuleChild)[]): Scenario[] {
  return children.flatMap((child) => {
    const rule = "rule" in child && child.rule ? outlines(child.rule.children) : [];
    const scenario = child.scenario;
    const isOutline = scenario && (scenario.examples.length > 0 || /Outline|Template/.test(scenario.keyword));
    return isOutline ? [scenario, ...rule] : rule;
  });
}
