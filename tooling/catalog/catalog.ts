// The step catalog: what `npx kubequake steps` prints. Pure functions (no file system, no Cucumber runtime), so they
// are unit-tested on inline fixtures: the step definitions and parameter types come from cucumber's own support
// code library (cli/project.ts loads it), the features are parsed by @cucumber/gherkin; this finds a real use of each
// step in `features/**/*.feature` and renders the Markdown of docs/STEPS.md.
import {
  CucumberExpression,
  type Expression,
  ParameterType,
  ParameterTypeRegistry,
  RegularExpression,
} from "@cucumber/cucumber-expressions";
import { generateMessages } from "@cucumber/gherkin";
import {
  type FeatureChild,
  type GherkinDocument,
  IdGenerator,
  type RuleChild,
  SourceMediaType,
  type Step,
} from "@cucumber/messages";

export type StepKeyword = "Given" | "When" | "Then";

/** One step definition, as cucumber's support code library holds it. */
export interface StepDefinition {
  keyword: StepKeyword;
  /** The Cucumber expression, or `/source/flags` for a step defined with a regular expression literal. */
  expression: string;
  /** Project-relative path, such as "steps/backend.steps.ts". */
  file: string;
  /** 1-based line of the `Given`/`When`/`Then` call, as cucumber records it. */
  line: number;
  /** The `//` or `/** *\/` comment block directly above the call, without the comment markers (see docAbove). */
  doc?: string;
  /** A declared fault of node or cluster scope (support/chaos/registry.ts): it breaks more than its namespace and needs @serial. */
  clusterWideFault?: boolean;
}

/** A step as written in a feature file. */
export interface FeatureStep {
  file: string;
  line: number;
  /** The keyword in effect: And, But and * take the one of the step before them (Gherkin's rule). */
  keyword: string;
  /** The step text without its keyword; in a Scenario Outline, with the first Examples row substituted. */
  text: string;
  /** The opening line of the step's docstring (`"""` or `"""yaml`, trimmed), if it has one. */
  docString?: string;
  /** Whether the step has a data table. */
  dataTable?: boolean;
  /** The docstring's text and the line of its opening delimiter, if it has one. */
  docStringContent?: string;
  docStringLine?: number;
}

export type StepExample = FeatureStep;

export interface CatalogStep extends StepDefinition {
  /** The first use in the features (in the order they were given), if any. */
  example?: StepExample;
}

export interface FeatureText {
  file: string;
  text: string;
}

/** A custom parameter type, as cucumber's registry holds it (declared with defineParameterType). */
export interface ParameterTypeInfo {
  name: string;
  regexps: readonly RegExp[];
  /** The comment above its defineParameterType call, if any. */
  doc?: string;
}

/** Comments that are tool directives, not documentation. */
const directiveComment = /^(biome-ignore|@ts-|eslint-|prettier-ignore|istanbul |c8 )/;

/**
 * The comment block (`//` lines or one `/** *\/` block) that ends on the line right above `line` (1-based) of
 * `sourceText`, without its markers and without tool directives; undefined if there is none. Cucumber tells where a
 * step or parameter type is defined; its documentation is the comment above that line.
 */
export function docAbove(sourceText: string, line: number): string | undefined {
  const lines = sourceText.replace(/\r\n?/g, "\n").split("\n");
  let index = line - 2;
  const block: string[] = [];
  if (lines[index]?.trim().endsWith("*/")) {
    while (index >= 0) {
      block.unshift(lines[index]!);
      if (lines[index]!.trim().startsWith("/*")) break;
      index -= 1;
    }
    if (index < 0) return undefined;
    return tidy(blockComment(block.join("\n")));
  }
  while (index >= 0 && lines[index]!.trim().startsWith("//")) {
    block.unshift(
      lines[index]!.trim()
        .replace(/^\/\/\/?\s?/, "")
        .trimEnd(),
    );
    index -= 1;
  }
  return tidy(block.filter((text) => !directiveComment.test(text)).join("\n"));
}

function blockComment(raw: string): string {
  const body = raw
    .trim()
    .replace(/^\/\*\*?/, "")
    .replace(/\*\/$/, "");
  const lines = body.split("\n").map((line) => line.replace(/^\s*\*(?!\/)\s?/, "").trimEnd());
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}

function tidy(doc: string): string | undefined {
  const text = doc.replace(/^\s*\n|\n\s*$/g, "").trim();
  return text === "" || directiveComment.test(text) ? undefined : text;
}

/** A feature file as @cucumber/gherkin reads it: its steps, its tags with their lines, and any parse errors. */
export interface ParsedFeature {
  steps: FeatureStep[];
  tags: { name: string; line: number }[];
  errors: { line: number; message: string }[];
  /** Every scenario as cucumber runs it (a pickle: one per Examples row of an Outline), in file order. */
  scenarios: ParsedScenario[];
  /** The syntax tree, for checks of what pickles lose (an Outline's placeholders and Examples columns). */
  document?: GherkinDocument;
}

/** One scenario as cucumber runs it, with the Background's steps and this Examples row's values substituted. */
export interface ParsedScenario {
  name: string;
  /** The line `file:line` selects it by: the Scenario's, or in an Outline its Examples row's. */
  line: number;
  /** Its tags, inherited ones (Feature, Rule, Examples) included, each with the line it is written on. */
  tags: { name: string; line: number }[];
  steps: FeatureStep[];
}

const keywordOfType: Record<string, string> = { Context: "Given", Action: "When", Outcome: "Then" };

/**
 * Parses one feature file with @cucumber/gherkin and lists its steps once each, in file order: a Background's steps
 * once, a Scenario Outline's with the first Examples row substituted (from the first pickle that uses them). And,
 * But and * take the keyword of the step before them (the pickle's type).
 */
export function parseFeature(file: string, text: string): ParsedFeature {
  const envelopes = generateMessages(text, file, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeGherkinDocument: true,
    includePickles: true,
    includeSource: false,
    newId: IdGenerator.incrementing(),
  });
  const astSteps = new Map<string, Step>();
  const tags: ParsedFeature["tags"] = [];
  const errors: ParsedFeature["errors"] = [];
  const seen = new Map<string, FeatureStep>();
  const collect = (children: readonly (FeatureChild | RuleChild)[]): void => {
    for (const child of children) {
      for (const step of child.background?.steps ?? child.scenario?.steps ?? []) astSteps.set(step.id, step);
      for (const tag of child.scenario?.tags ?? []) tags.push({ name: tag.name, line: tag.location.line });
      for (const examples of child.scenario?.examples ?? []) {
        for (const tag of examples.tags) tags.push({ name: tag.name, line: tag.location.line });
      }
      if ("rule" in child && child.rule) {
        for (const tag of child.rule.tags) tags.push({ name: tag.name, line: tag.location.line });
        collect(child.rule.children);
      }
    }
  };
  const scenarios: ParsedScenario[] = [];
  let document: GherkinDocument | undefined;
  const lineOf = new Map<string, number>();
  for (const envelope of envelopes) {
    if (envelope.parseError) {
      errors.push({ line: envelope.parseError.source.location?.line ?? 1, message: envelope.parseError.message });
    }
    const feature = envelope.gherkinDocument?.feature;
    if (envelope.gherkinDocument) document = envelope.gherkinDocument;
    if (feature) {
      for (const tag of feature.tags) tags.push({ name: tag.name, line: tag.location.line });
      collect(feature.children);
      for (const tag of feature.tags) lineOf.set(tag.id, tag.location.line);
      collectLines(feature.children, lineOf);
    }
    const pickle = envelope.pickle;
    if (!pickle) continue;
    let previousKeyword: string | undefined;
    const pickleSteps: FeatureStep[] = [];
    for (const pickleStep of pickle.steps) {
      const id = pickleStep.astNodeIds[0]!;
      const ast = astSteps.get(id);
      if (!ast) continue;
      const keyword = keywordOfType[pickleStep.type ?? ""] ?? previousKeyword ?? ast.keyword.trim();
      previousKeyword = keyword;
      const step: FeatureStep = { file, line: ast.location.line, keyword, text: pickleStep.text };
      if (ast.docString) {
        step.docString = `${ast.docString.delimiter}${ast.docString.mediaType ?? ""}`;
        step.docStringContent = pickleStep.argument?.docString?.content ?? ast.docString.content;
        step.docStringLine = ast.docString.location.line;
      }
      if (ast.dataTable) step.dataTable = true;
      pickleSteps.push(step);
      if (!seen.has(id)) seen.set(id, step);
    }
    scenarios.push({
      name: pickle.name,
      // The last AST node is the Examples row for an Outline row, else the Scenario itself (as cucumber selects).
      line: lineOf.get(pickle.astNodeIds[pickle.astNodeIds.length - 1] ?? "") ?? 0,
      tags: pickle.tags.map((tag) => ({ name: tag.name, line: lineOf.get(tag.astNodeId) ?? 0 })),
      steps: pickleSteps,
    });
  }
  tags.sort((a, b) => a.line - b.line);
  const steps = [...seen.values()].sort((a, b) => a.line - b.line);
  return document ? { steps, tags, errors, scenarios, document } : { steps, tags, errors, scenarios };
}

/** The line of every Scenario, Examples row and tag, by AST id (what a pickle's astNodeIds and tags refer to). */
function collectLines(children: readonly (FeatureChild | RuleChild)[], lines: Map<string, number>): void {
  for (const child of children) {
    if (child.scenario) {
      lines.set(child.scenario.id, child.scenario.location.line);
      for (const tag of child.scenario.tags) lines.set(tag.id, tag.location.line);
      for (const examples of child.scenario.examples) {
        for (const tag of examples.tags) lines.set(tag.id, tag.location.line);
        for (const row of examples.tableBody) lines.set(row.id, row.location.line);
      }
    }
    if ("rule" in child && child.rule) {
      for (const tag of child.rule.tags) lines.set(tag.id, tag.location.line);
      collectLines(child.rule.children, lines);
    }
  }
}

/** The steps of one feature file (see parseFeature); a file that does not parse throws an Error naming file:line. */
export function parseFeatureSteps(file: string, text: string): FeatureStep[] {
  const { steps, errors } = parseFeature(file, text);
  const first = errors[0];
  if (first) throw new Error(`${file}:${first.line}: the feature file does not parse: ${first.message}`);
  return steps;
}

/** A registry with Cucumber's built-in parameter types and the project's custom ones. */
export function parameterTypeRegistry(parameterTypes: readonly ParameterTypeInfo[]): ParameterTypeRegistry {
  const registry = new ParameterTypeRegistry();
  for (const type of parameterTypes) {
    registry.defineParameterType(new ParameterType(type.name, [...type.regexps], String, (s?: string) => s ?? ""));
  }
  return registry;
}

/** Compiles each step's expression; throws an Error naming the step's file:line if one does not compile. */
export function compile(steps: readonly StepDefinition[], registry: ParameterTypeRegistry): Expression[] {
  return steps.map((step) => {
    try {
      const regexp = /^\/(.*)\/([a-z]*)$/s.exec(step.expression);
      return regexp
        ? new RegularExpression(new RegExp(regexp[1]!, regexp[2]), registry)
        : new CucumberExpression(step.expression, registry);
    } catch (error) {
      const reason = error instanceof Error ? error.message.trim() : String(error);
      throw new Error(`${step.file}:${step.line}: cannot compile the step "${step.expression}": ${reason}`);
    }
  });
}

export interface FeatureStepMatch {
  step: FeatureStep;
  /** Indexes into the step definitions that match the step's text: none (undefined step), one, or several. */
  definitions: number[];
}

/** Matches every step of the features against every step definition, in the order the features were given. */
export function matchFeatureSteps(
  steps: readonly StepDefinition[],
  featureTexts: readonly FeatureText[],
  parameterTypes: readonly ParameterTypeInfo[],
): FeatureStepMatch[] {
  const expressions = compile(steps, parameterTypeRegistry(parameterTypes));
  const matches: FeatureStepMatch[] = [];
  for (const feature of featureTexts) {
    for (const step of parseFeatureSteps(feature.file, feature.text)) {
      const definitions: number[] = [];
      expressions.forEach((expression, index) => {
        if (expression.match(step.text)) definitions.push(index);
      });
      matches.push({ step, definitions });
    }
  }
  return matches;
}

/** Each step definition with its first use in the features (in the order the features are given), if any. */
export function findExamples(
  steps: readonly StepDefinition[],
  featureTexts: readonly FeatureText[],
  parameterTypes: readonly ParameterTypeInfo[],
): CatalogStep[] {
  const catalog: CatalogStep[] = steps.map((step) => ({ ...step }));
  for (const { step, definitions } of matchFeatureSteps(steps, featureTexts, parameterTypes)) {
    for (const index of definitions) catalog[index]!.example ??= step;
  }
  return catalog;
}

/** Sections come in this order (the order a scenario uses them in); files not listed follow, alphabetically. */
const domainOrder = ["backend", "service", "traffic", "dns", "manifest"];

/** "steps/backend.steps.ts" → "backend". */
export function domainOf(file: string): string {
  const base = file.split(/[\\/]/).at(-1) ?? file;
  return base.replace(/\.steps\.[cm]?[jt]s$/, "").replace(/\.[cm]?[jt]s$/, "");
}

const builtinTypes: Record<string, string> = {
  int: "a whole number, such as `3`",
  float: "a number, such as `1.5`",
  word: "a single word without spaces, such as `killed`",
  string: 'text in double or single quotes, such as `"web"` (the quotes are not part of the value)',
  "": "any text",
};

const knownTypes: Record<string, string> = {
  labels: 'a label selector in double quotes, such as `"app=web"` or `"app=web,tier=backend"`',
};

/** The step catalog as Markdown: deterministic for the same input, whatever the order of `steps`. */
export function renderMarkdown(steps: readonly CatalogStep[], parameterTypes: readonly ParameterTypeInfo[]): string {
  const files = [...new Set(steps.map((step) => step.file))].sort(compareFiles);
  const out: string[] = [
    "# kubequake step catalog",
    "",
    `Every Cucumber step that kubequake's features can use (${steps.length} steps in ${files.length} files), grouped ` +
      "by the file in `steps/` that defines it, each with its first use in `features/`. This file is generated " +
      "from the step definitions by `npx kubequake steps`; do not edit it by hand: change the step definitions or " +
      "their comments, then run `npx kubequake steps --out docs/STEPS.md` (`--check docs/STEPS.md` tells whether " +
      "it is up to date). In a phrase, `{name}` is a parameter (see the table below), `(s)` is optional text and " +
      "`is/are` accepts either word. A step is shown with the keyword it is defined with, but Cucumber matches it " +
      "whatever keyword (Given, When, Then, And, But) a feature writes it with.",
    "",
    "## Parameter types",
    "",
    "| Parameter | Accepts |",
    "| --- | --- |",
  ];
  for (const type of parameterTypes) {
    out.push(`| \`{${type.name}}\` | ${tableCell(describeParameterType(type))} |`);
  }
  for (const [name, description] of Object.entries(builtinTypes)) {
    if (steps.some((step) => step.expression.includes(`{${name}}`))) {
      out.push(`| \`{${name}}\` | ${tableCell(description)} |`);
    }
  }
  for (const file of files) {
    out.push("", `## ${domainOf(file)}`, "", `Defined in \`${file}\`.`);
    const inFile = steps.filter((step) => step.file === file).sort((a, b) => a.line - b.line);
    for (const step of inFile) {
      out.push("", `- ${codeSpan(`${step.keyword} ${step.expression}`)}`);
      if (step.doc) out.push("", ...indent(step.doc));
      out.push("", `  Example: ${describeExample(step.example)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function compareFiles(a: string, b: string): number {
  const rank = (file: string) => {
    const position = domainOrder.indexOf(domainOf(file));
    return position === -1 ? domainOrder.length : position;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The words a parameter type accepts, when its regexps are plain alternatives ("ClusterIP|NodePort|headless"). */
export function parameterAlternatives(type: ParameterTypeInfo): string[] | undefined {
  return type.regexps.every((r) => /^[\w-]+( [\w-]+)*(\|[\w-]+( [\w-]+)*)*$/.test(r.source))
    ? type.regexps.flatMap((r) => r.source.split("|"))
    : undefined;
}

/** What a parameter type accepts, in words (the catalog's table and lint's messages). */
export function describeParameterType(type: ParameterTypeInfo): string {
  const alternatives = parameterAlternatives(type);
  const accepts = alternatives
    ? `one of ${alternatives.map((value) => codeSpan(value)).join(", ")}`
    : (knownTypes[type.name] ?? `text matching ${type.regexps.map((r) => codeSpan(String(r))).join(" or ")}`);
  return type.doc ? `${accepts}: ${type.doc.replace(/\s*\n\s*/g, " ")}` : accepts;
}

function describeExample(example: StepExample | undefined): string {
  if (!example) return "(not used by any feature yet)";
  const extra = example.docString
    ? ` with a docstring (${codeSpan(example.docString)})`
    : example.dataTable
      ? " with a data table"
      : "";
  return `${codeSpan(`${example.keyword} ${example.text}`)}${extra} (${example.file}:${example.line})`;
}

/** `text` as a Markdown code span, with a fence longer than any run of backticks inside. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function tableCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function indent(text: string): string[] {
  return text.split("\n").map((line) => (line.trim() === "" ? "" : `  ${line}`));
}
