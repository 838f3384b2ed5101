// Nearest phrases for a step no definition matches, and, when a step would match but for one parameter's value, that
// parameter's accepted values ("LoadBalancer" is not a {serviceType}: one of ClusterIP, NodePort, headless).
import {
  type Argument,
  CucumberExpression,
  type Expression,
  ParameterType,
  ParameterTypeRegistry,
} from "@cucumber/cucumber-expressions";
import { distance } from "fastest-levenshtein";
import {
  compile,
  describeParameterType,
  type ParameterTypeInfo,
  parameterTypeRegistry,
  type StepDefinition,
} from "../catalog/catalog.ts";

export interface StepMatcher {
  definition: StepDefinition;
  match(text: string): readonly Argument[] | null;
  /** The same expression with every custom parameter accepting any text, to tell a wrong value from a wrong phrase. */
  lenient?: Expression;
}

/** Compiles the definitions (throws an Error naming file:line for one that does not compile). */
export function compileDefinitions(
  definitions: readonly StepDefinition[],
  parameterTypes: readonly ParameterTypeInfo[],
): StepMatcher[] {
  const strict = compile(definitions, parameterTypeRegistry(parameterTypes));
  const anyText = new ParameterTypeRegistry();
  for (const type of parameterTypes) {
    anyText.defineParameterType(new ParameterType(type.name, /.+?/, String, (s?: string) => s ?? ""));
  }
  return definitions.map((definition, index) => {
    const expression = strict[index]!;
    const matcher: StepMatcher = { definition, match: (text) => expression.match(text) };
    if (parameterTypes.some((type) => definition.expression.includes(`{${type.name}}`))) {
      matcher.lenient = new CucumberExpression(definition.expression, anyText);
    }
    return matcher;
  });
}

/** A value that keeps a step from matching the one definition it otherwise would, with what that parameter accepts. */
export function parameterChoices(
  text: string,
  matchers: readonly StepMatcher[],
  parameterTypes: readonly ParameterTypeInfo[],
): { definition: StepDefinition; type: string; value: string; accepted: string } | undefined {
  for (const matcher of matchers) {
    const args = matcher.lenient?.match(text);
    if (!args) continue;
    for (const argument of args) {
      const type = parameterTypes.find((t) => t.name === argument.parameterType.name);
      const value = argument.group.value ?? "";
      if (!type || type.regexps.some((r) => new RegExp(`^(?:${r.source})$`).test(value))) continue;
      return { definition: matcher.definition, type: type.name, value, accepted: describeParameterType(type) };
    }
  }
  return undefined;
}

/** The `count` definitions nearest to `text` by edit distance (to the phrase, and to the phrase with its parameters filled). */
export function suggestPhrases(text: string, matchers: readonly StepMatcher[], count = 3): string[] {
  const filled = (expression: string) =>
    expression
      .replace(/\{(int|float)\}/g, "1")
      .replace(/\{[^}]*\}/g, '"x"')
      .replace(/\(([^)]*)\)/g, "$1")
      .replace(/(\w+)\/\w+/g, "$1");
  const normalized = text.replace(/"[^"]*"/g, '"x"').replace(/\b\d+(\.\d+)?\b/g, "1");
  const scored = matchers.map((m) => ({
    phrase: `${m.definition.keyword} ${m.definition.expression}`,
    score: Math.min(distance(text, m.definition.expression), distance(normalized, filled(m.definition.expression))),
  }));
  scored.sort((a, b) => a.score - b.score || (a.phrase < b.phrase ? -1 : 1));
  return [...new Set(scored.map((s) => s.phrase))].slice(0, count);
}

/**
 * The candidate nearest to `word` by edit distance, if it is near enough to be a typo (at most a third of the word's
 * length, and at least 2 edits allowed): `--paralel` → `--parallel`; undefined when nothing is close.
 */
export function nearestWord(word: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(2, Math.floor(word.length / 3));
  const scored = candidates.map((candidate) => ({ candidate, score: distance(word, candidate) }));
  scored.sort((a, b) => a.score - b.score || (a.candidate < b.candidate ? -1 : 1));
  const best = scored[0];
  return best && best.score <= allowed ? best.candidate : undefined;
}
