// `kubequake lint`: every mistake in feature files that can be found without a cluster, each with file:line, what
// was expected and what was seen. Pure: the step definitions and parameter types come from cucumber's support code
// library (cli/project.ts), the features are parsed by @cucumber/gherkin (tooling/catalog/catalog.ts).
import { distance } from "fastest-levenshtein";
import { parseAllDocuments } from "yaml";
import { describeKnownNeeds, unknownNeeds } from "../../support/capabilities/needs.ts";
import {
  type FeatureStep,
  type FeatureText,
  type ParameterTypeInfo,
  type ParsedScenario,
  parseFeature,
  type StepDefinition,
} from "../catalog/catalog.ts";
import { upstreamChecks } from "../coverage/grades.ts";
import { argumentRangeProblem, parameterContexts } from "./argument-ranges.ts";
import { apiVersionProblem, builtInKinds } from "./built-in-kinds.ts";
import { missingColumns } from "./outline-columns.ts";
import type { LintProblem } from "./problem.ts";
import { rememberedValueProblems } from "./remembered.ts";
import { compileDefinitions, parameterChoices, type StepMatcher, suggestPhrases } from "./suggest.ts";

export type { LintProblem } from "./problem.ts";

export interface LintInput {
  definitions: readonly StepDefinition[];
  parameterTypes: readonly ParameterTypeInfo[];
  features: readonly FeatureText[];
  /** Reads a manifest file a step names (`the manifest "path"`); undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** Report step definitions no feature uses (only meaningful when every feature is linted). */
  checkUnused?: boolean;
  /**
   * Lint only the scenarios a run selects (`kubequake run`'s paths with lines, --tags, --name), by file and the line
   * `file:line` selects a scenario by; every scenario when absent.
   */
  selected?: (file: string, line: number) => boolean;
}

/** Tags with a meaning in kubequake; prefixes end with ":". */
export const knownTags = ["@serial", "@chaos", "@smoke", "@slow", "@wip", "@flaky"] as const;
export const knownTagPrefixes = ["@epic:", "@severity:", "@upstream:", "@needs:"] as const;
const severities = ["blocker", "critical", "normal", "minor", "trivial"];

export function lintFeatures(input: LintInput): LintProblem[] {
  const problems: LintProblem[] = [];
  const matchers = compileDefinitions(input.definitions, input.parameterTypes);
  const used = new Set<number>();
  for (const feature of input.features) {
    const parsed = parseFeature(feature.file, feature.text);
    for (const error of parsed.errors) {
      problems.push({
        file: feature.file,
        line: error.line,
        severity: "error",
        message: `the feature file does not parse: ${error.message.replace(/^\(\d+:\d+\): /, "")}`,
        expected: "a keyword (Given, When, Then, And, But, *), a table row, a docstring or a comment",
      });
    }
    const scenarios = input.selected
      ? parsed.scenarios.filter((scenario) => input.selected!(feature.file, scenario.line))
      : parsed.scenarios;
    // Without a selection every tag is checked, those of an Outline without Examples (no scenario) too.
    const tags = input.selected ? scenarios.flatMap((scenario) => scenario.tags) : parsed.tags;
    for (const tag of uniqueBy(tags, (t) => `${t.line} ${t.name}`)) {
      const problem = tagProblem(tag.name);
      if (problem) problems.push({ file: feature.file, line: tag.line, severity: "error", ...problem });
    }
    const missing = parsed.document
      ? missingColumns(feature.file, parsed.document)
      : { problems: [], placeholderLines: new Set<number>() };
    // A placeholder problem belongs to the steps of the Outline's scenarios, reported when one of them is linted.
    const stepLines = new Set(scenarios.flatMap((scenario) => scenario.steps.map((step) => step.line)));
    problems.push(...missing.problems.filter((problem) => !input.selected || stepLines.has(problem.line)));
    problems.push(
      ...rememberedValueProblems(feature).filter((problem) => !input.selected || stepLines.has(problem.line)),
    );
    // A step is checked once per text it takes (an Outline's step once per Examples row that changes it).
    const checked = new Set<string>();
    for (const scenario of scenarios) {
      for (const step of scenario.steps) {
        const matched = matchers.flatMap((m, index) => (m.match(step.text) ? [index] : []));
        for (const index of matched) used.add(index);
        if (missing.placeholderLines.has(step.line) && /<[^<>\s]+>/.test(step.text)) continue;
        const key = `${step.line}\0${step.text}\0${step.docStringContent ?? ""}`;
        if (!checked.has(key)) {
          checked.add(key);
          problems.push(...stepProblems(step, matched, matchers, input));
        }
        if (matched.length === 1) {
          const problem = serialProblem(step, matchers[matched[0]!]!, scenario);
          if (problem) problems.push(problem);
        }
      }
    }
  }
  if (input.checkUnused) {
    input.definitions.forEach((definition, index) => {
      if (used.has(index) || definition.file.startsWith("test/")) return;
      problems.push({
        file: definition.file,
        line: definition.line,
        severity: "warning",
        message: `the step "${definition.expression}" is used by no feature`,
        expected: "every step definition used by at least one scenario (or removed)",
      });
    });
  }
  const unique = uniqueBy(problems, (p) => `${p.file}:${p.line} ${p.message}`);
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}

/**
 * A cluster-wide fault (a declared fault of node or cluster scope in support/chaos/registry.ts, the declaration the step
 * checks at run time too) in a scenario without @serial: it would break scenarios running beside it.
 */
function serialProblem(step: FeatureStep, matcher: StepMatcher, scenario: ParsedScenario): LintProblem | undefined {
  if (!matcher.definition.clusterWideFault || scenario.tags.some((tag) => tag.name === "@serial")) return undefined;
  return {
    file: step.file,
    line: step.line,
    severity: "error",
    message: `a cluster-wide fault in the scenario "${scenario.name}" (line ${scenario.line}), which is not tagged @serial: it breaks more than the scenario's namespace, so scenarios running beside it would fail because of it`,
    expected: "the scenario (or its Feature) tagged @serial (and @chaos): it then runs alone",
    seen: `${step.keyword} ${step.text}`,
  };
}

function tagProblem(tag: string): { message: string; expected: string; seen: string } | undefined {
  const expected = `one of ${knownTags.join(", ")}, or ${knownTagPrefixes.map((p) => `${p}…`).join(", ")}`;
  if ((knownTags as readonly string[]).includes(tag)) return undefined;
  const prefix = knownTagPrefixes.find((p) => tag.startsWith(p));
  if (!prefix) return { message: `unknown tag ${tag}`, expected, seen: tag };
  const value = tag.slice(prefix.length);
  if (prefix === "@needs:" && unknownNeeds([tag]).length > 0) {
    return {
      message: `unknown requirement ${tag}`,
      expected: describeKnownNeeds(),
      seen: tag,
    };
  }
  if (prefix === "@severity:" && !severities.includes(value)) {
    return { message: `unknown severity ${tag}`, expected: `@severity: then ${severities.join(", ")}`, seen: tag };
  }
  if (prefix === "@upstream:" && !upstreamChecks.some((check) => check.id === value)) {
    const nearest = [...upstreamChecks]
      .map((check) => check.id)
      .sort((a, b) => distance(a, value) - distance(b, value))
      .slice(0, 3);
    return {
      message: `${tag} names no upstream test in tooling/coverage/grades.yaml`,
      expected: `an id from that list, such as ${nearest.map((id) => `@upstream:${id}`).join(", ")}`,
      seen: tag,
    };
  }
  if (value === "") return { message: `the tag ${tag} has no value`, expected: `${prefix}<value>`, seen: tag };
  return undefined;
}

function stepProblems(
  step: FeatureStep,
  matched: readonly number[],
  matchers: readonly StepMatcher[],
  input: LintInput,
): LintProblem[] {
  const at = { file: step.file, line: step.line };
  const seen = `${step.keyword} ${step.text}`;
  if (matched.length === 0) {
    const choice = parameterChoices(step.text, matchers, input.parameterTypes);
    if (choice) {
      return [
        {
          ...at,
          severity: "error",
          message: `"${choice.value}" is not a {${choice.type}} (in the step "${choice.definition.expression}")`,
          expected: choice.accepted,
          seen,
        },
      ];
    }
    const nearest = suggestPhrases(step.text, matchers);
    return [
      {
        ...at,
        severity: "error",
        message: "no step definition matches this step",
        expected: `a phrase from docs/STEPS.md; the nearest:\n${nearest.map((p) => `      ${p}`).join("\n")}`,
        seen,
      },
    ];
  }
  if (matched.length > 1) {
    return [
      {
        ...at,
        severity: "error",
        message: `${matched.length} step definitions match this step (ambiguous)`,
        expected: "exactly one; reword the step, or make the definitions distinct",
        seen: `${seen}, matched by ${matched.map((i) => `${matchers[i]!.definition.file}:${matchers[i]!.definition.line} "${matchers[i]!.definition.expression}"`).join(", ")}`,
      },
    ];
  }
  const matcher = matchers[matched[0]!]!;
  return [...numberProblems(step, matcher), ...rangeProblems(step, matcher), ...manifestProblems(step, matcher, input)];
}

/** Arguments whose value would leave the check nothing to judge (150%, p0, 0 pods, 0 times): see argument-ranges.ts. */
function rangeProblems(step: FeatureStep, matcher: StepMatcher): LintProblem[] {
  const contexts = parameterContexts(matcher.definition.expression);
  const args = matcher.match(step.text) ?? [];
  // "from {int} client pod(s)": the rate is split over that many pods.
  const clientsAt = contexts.findIndex((c) => c.after.startsWith(" client pod(s)") && /\bfrom $/.test(c.before));
  const clients = clientsAt < 0 ? 1 : Number(args[clientsAt]?.group.value ?? 1);
  return args.flatMap((argument, index) => {
    const type = argument.parameterType.name;
    const context = contexts[index];
    if ((type !== "int" && type !== "float") || !context) return [];
    const value = Number(argument.group.value);
    // Negative numbers are reported once, by numberProblems (a negative percentage or rate here).
    if (value < 0 && !context.after.startsWith("%") && !isRate(context.after)) return [];
    const problem = argumentRangeProblem(value, context, clients);
    if (!problem) return [];
    return [
      {
        file: step.file,
        line: step.line,
        severity: "error" as const,
        message: problem.message,
        expected: problem.expected,
        seen: `${step.keyword} ${step.text}`,
      },
    ];
  });
}

function isRate(textAfter: string): boolean {
  return textAfter.startsWith(" requests per second");
}

/** "within 0 seconds" and negative numbers (replicas, requests, seconds) cannot be meant. */
function numberProblems(step: FeatureStep, matcher: StepMatcher): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const argument of matcher.match(step.text) ?? []) {
    const type = argument.parameterType.name;
    if (type !== "int" && type !== "float") continue;
    const value = Number(argument.group.value);
    const before = step.text.slice(0, argument.group.start ?? 0);
    const after = step.text.slice(argument.group.end ?? 0);
    const what = /^\s*(\S+)/.exec(after)?.[1] ?? "";
    if (/\bwithin\s*$/.test(before) && value <= 0) {
      problems.push({
        file: step.file,
        line: step.line,
        severity: "error",
        message: `"within ${argument.group.value} ${what}" gives the check no time at all`,
        expected: "a time budget above 0",
        seen: `${step.keyword} ${step.text}`,
      });
    } else if (value < 0 && !after.startsWith("%") && !isRate(after)) {
      // A negative share is told as a percentage outside 0-100, a negative rate as a rate (rangeProblems).
      problems.push({
        file: step.file,
        line: step.line,
        severity: "error",
        message: `a negative number: ${argument.group.value} ${what}`,
        expected: `0 or more ${what}`.trim(),
        seen: `${step.keyword} ${step.text}`,
      });
    }
  }
  return problems;
}

/** A step that applies a manifest: its YAML must parse and each object must name its apiVersion, kind and name. */
function manifestProblems(step: FeatureStep, matcher: StepMatcher, input: LintInput): LintProblem[] {
  const expression = matcher.definition.expression;
  if (!/\bmanifest\b/.test(expression)) return [];
  if (step.docStringContent !== undefined && expression.endsWith(":")) {
    // A manifest the API server must reject may be wrong on purpose; only its YAML must parse (kubequake reads it).
    const rejected = /\brejects\b/.test(expression);
    return manifestText(step.docStringContent, { syntaxOnly: rejected }).map((p) => ({
      file: step.file,
      line: (step.docStringLine ?? step.line) + 1 + p.line,
      severity: "error" as const,
      message: `the manifest of the step on line ${step.line}: ${p.message}`,
      expected: p.expected,
      seen: p.seen,
    }));
  }
  const path = /^the manifest "([^"]*)"$/.exec(step.text)?.[1];
  if (path === undefined || !input.readFile) return [];
  const text = input.readFile(path);
  if (text === undefined) {
    return [
      {
        file: step.file,
        line: step.line,
        severity: "error",
        message: `the manifest file ${path} does not exist`,
        expected: "a path relative to the project root, such as features/manifests/echo-deployment.yaml",
        seen: path,
      },
    ];
  }
  return manifestText(text).map((p) => ({
    file: path,
    line: p.line + 1,
    severity: "error" as const,
    message: `${p.message} (applied by ${step.file}:${step.line})`,
    expected: p.expected,
    seen: p.seen,
  }));
}

/** Problems of a YAML manifest; `line` is 0-based within the text. `syntaxOnly`: whether it parses, nothing more. */
export function manifestText(
  text: string,
  options: { syntaxOnly?: boolean } = {},
): { line: number; message: string; expected: string; seen: string }[] {
  const problems: { line: number; message: string; expected: string; seen: string }[] = [];
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length - 1;
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      const error = document.errors[0]!;
      problems.push({
        line: lineAt(error.pos[0]),
        message: `the YAML does not parse: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        expected: "valid YAML (indent with spaces; one object per document, documents separated by ---)",
        seen: text.split("\n")[lineAt(error.pos[0])]?.trim() ?? "",
      });
      continue;
    }
    const object: unknown = document.toJS();
    if (object === null || object === undefined || options.syntaxOnly) continue;
    const start = lineAt(document.contents?.range?.[0] ?? document.range[0]);
    if (typeof object !== "object" || Array.isArray(object)) {
      problems.push({
        line: start,
        message: "a YAML document is not a Kubernetes object",
        expected: "a mapping with apiVersion, kind and metadata.name",
        seen: JSON.stringify(object).slice(0, 80),
      });
      continue;
    }
    const fields = object as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; namespace?: unknown };
    };
    const missing = [
      typeof fields.apiVersion === "string" && fields.apiVersion !== "" ? "" : "apiVersion",
      typeof fields.kind === "string" && fields.kind !== "" ? "" : "kind",
      typeof fields.metadata?.name === "string" && fields.metadata.name !== "" ? "" : "metadata.name",
    ].filter(Boolean);
    if (missing.length > 0) {
      problems.push({
        line: start,
        message: `an object without ${missing.join(", ")}`,
        expected: "apiVersion, kind and metadata.name on every object",
        seen: `apiVersion: ${String(fields.apiVersion ?? "(none)")}, kind: ${String(fields.kind ?? "(none)")}, metadata.name: ${String(fields.metadata?.name ?? "(none)")}`,
      });
    }
    const lineOf = (key: string) => {
      const found = text.split("\n").findIndex((l, i) => i >= start && new RegExp(`^\\s*${key}:`).test(l));
      return found < 0 ? start : found;
    };
    const { apiVersion, kind } = fields;
    if (typeof apiVersion === "string" && typeof kind === "string") {
      const wrong = apiVersionProblem(apiVersion, kind);
      if (wrong)
        problems.push({ line: lineOf("apiVersion"), ...wrong, seen: `apiVersion: ${apiVersion}, kind: ${kind}` });
      if (builtInKinds().kinds[kind]?.namespaced === false) {
        problems.push({
          line: lineOf("kind"),
          message: `a ${kind} is cluster-scoped: a scenario creates objects only in its own namespace, which is removed after it (even on Ctrl-C); a cluster-scoped object would outlive the run`,
          expected: "a namespaced kind (a Role and RoleBinding instead of a ClusterRole and ClusterRoleBinding)",
          seen: `kind: ${kind}`,
        });
      }
    }
    if (fields.metadata?.namespace !== undefined) {
      problems.push({
        line: lineOf("namespace"),
        message:
          "metadata.namespace is set, but kubequake assigns each scenario its own namespace (created for it and removed after it) and puts every object of the manifest there",
        expected: "no metadata.namespace (a Service in the same scenario is reached by its name, http://web)",
        seen: `namespace: ${String(fields.metadata.namespace)}`,
      });
    }
  }
  return problems;
}

/**
 * Why a step matches no definition, in one or two lines: the parameter value that is not accepted (with the accepted
 * ones), or the nearest phrases. For `kubequake run`'s preflight, which finds undefined steps with cucumber's dry run.
 */
export function explainUndefinedStep(
  text: string,
  definitions: readonly StepDefinition[],
  parameterTypes: readonly ParameterTypeInfo[],
): string {
  const matchers = compileDefinitions(definitions, parameterTypes);
  const choice = parameterChoices(text, matchers, parameterTypes);
  if (choice) return `"${choice.value}" is not a {${choice.type}}: expected ${choice.accepted}`;
  return `the nearest phrases:${suggestPhrases(text, matchers)
    .map((p) => `\n        ${p}`)
    .join("")}`;
}

/** The problems as the console shows them: `file:line: message`, then expected and seen. */
export function formatProblems(problems: readonly LintProblem[]): string {
  return problems
    .map((p) =>
      [
        `${p.file}:${p.line}: ${p.severity === "warning" ? "warning: " : ""}${p.message}`,
        p.expected ? `    expected: ${p.expected}` : "",
        p.seen ? `    seen:     ${p.seen}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    )
    .join("\n");
}
