// The step catalog: what `npx kubequake steps` prints. Pure functions over source texts (no file system, no Cucumber
// runtime), so they are unit-tested on inline fixtures: extract the step definitions from `steps/*.steps.ts`, find
// a real use of each in `features/**/*.feature`, and render the Markdown of docs/STEPS.md.
import {
  CucumberExpression,
  type Expression,
  ParameterType,
  ParameterTypeRegistry,
  RegularExpression,
} from "@cucumber/cucumber-expressions";
import { scanTokens, type Token } from "./scanner.ts";

export type StepKeyword = "Given" | "When" | "Then";

/** One `Given(…)`/`When(…)`/`Then(…)` call found in a step definition file. */
export interface StepDefinition {
  keyword: StepKeyword;
  /** The Cucumber expression, or `/source/flags` for a step defined with a regular expression literal. */
  expression: string;
  /** The file as given to extractSteps (the CLI passes project-relative paths such as "steps/backend.steps.ts"). */
  file: string;
  /** 1-based line of the `Given`/`When`/`Then` identifier. */
  line: number;
  /** The `//` or `/** *\/` comment block directly above the call, without the comment markers. */
  doc?: string;
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

/** A custom parameter type, as declared with defineParameterType in support/parameter-types.ts. */
export interface ParameterTypeInfo {
  name: string;
  regexps: readonly RegExp[];
  /** The comment above its defineParameterType call, if any. */
  doc?: string;
}

/** support/parameter-types.ts as of writing; the CLI reads the real file, and a unit test checks the two agree. */
export const DEFAULT_PARAMETER_TYPES: readonly ParameterTypeInfo[] = [
  { name: "serviceType", regexps: [/ClusterIP|NodePort|headless/] },
  { name: "affinity", regexps: [/ClientIP|None/] },
  { name: "killMode", regexps: [/killed|force-deleted/] },
  { name: "labels", regexps: [/"([^"]*)"/] },
  { name: "podFate", regexps: [/killed|force-deleted|unready/] },
  { name: "nodeFault", regexps: [/stopped|paused|cut off from the other nodes/] },
  { name: "podKill", regexps: [/killed|force-deleted|SIGKILLed/] },
  { name: "trafficTarget", regexps: [/the ClusterIP of "([^"]*)"|"([^"]*)"/] },
  { name: "backend", regexps: [/"([^"]*)"/] },
  { name: "service", regexps: [/"([^"]*)"/] },
  { name: "fieldCondition", regexps: [/`([^`]+)` (set|not set|equal to "[^"]*"|containing "[^"]*"|matching "[^"]*")/] },
];

const stepKeywords: ReadonlySet<string> = new Set(["Given", "When", "Then"]);
const directiveComment = /^(biome-ignore|@ts-|eslint-|prettier-ignore|istanbul |c8 )/;

/**
 * Finds the step definitions in one TypeScript source: calls of `Given`, `When` or `Then` whose first argument is a
 * string literal (or a template literal without substitutions, or a regular expression literal), possibly on the
 * next line. Calls whose first argument is anything else are reported through `warnings`, if given.
 */
export function extractSteps(fileName: string, sourceText: string, warnings?: string[]): StepDefinition[] {
  const tokens = scanTokens(sourceText);
  const steps: StepDefinition[] = [];
  const nextCode = (from: number): number => {
    let i = from;
    while (i < tokens.length && tokens[i]!.kind === "comment") i += 1;
    return i;
  };
  let previousCode: Token | undefined;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token.kind === "comment") continue;
    const before = previousCode;
    previousCode = token;
    if (token.kind !== "identifier" || !stepKeywords.has(token.text)) continue;
    if (before?.kind === "identifier" && before.text === "function") continue;
    const open = tokens[nextCode(i + 1)];
    if (open?.kind !== "punctuator" || open.text !== "(") continue;
    const argument = tokens[nextCode(nextCode(i + 1) + 1)];
    const expression = literalExpression(argument);
    if (expression === undefined) {
      warnings?.push(
        `${fileName}:${token.line}: ${token.text}(…) does not start with a string literal, so it is not catalogued`,
      );
      continue;
    }
    const step: StepDefinition = { keyword: token.text as StepKeyword, expression, file: fileName, line: token.line };
    const doc = docAbove(tokens, i);
    if (doc) step.doc = doc;
    steps.push(step);
  }
  return steps;
}

function literalExpression(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  if (token.kind === "string" || (token.kind === "template" && !token.substitutions)) return token.value;
  if (token.kind === "regexp") return token.text;
  return undefined;
}

/** The comment block that ends on the line right above tokens[index] and stands on lines of its own. */
function docAbove(tokens: readonly Token[], index: number): string | undefined {
  const parts: string[] = [];
  let expectedEndLine = tokens[index]!.line - 1;
  for (let i = index - 1; i >= 0; i -= 1) {
    const comment = tokens[i]!;
    if (comment.kind !== "comment" || !comment.startsLine || comment.endLine !== expectedEndLine) break;
    const text = commentText(comment.text);
    if (!directiveComment.test(text)) parts.unshift(text);
    expectedEndLine = comment.line - 1;
  }
  const doc = parts
    .join("\n")
    .replace(/^\s*\n|\n\s*$/g, "")
    .trim();
  return doc === "" ? undefined : doc;
}

function commentText(raw: string): string {
  if (raw.startsWith("//")) return raw.replace(/^\/\/\/?\s?/, "").trimEnd();
  const body = raw.replace(/^\/\*\*?/, "").replace(/\*\/$/, "");
  const lines = body.split("\n").map((line) => line.replace(/^\s*\*(?!\/)\s?/, "").trimEnd());
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}

/** Finds the custom parameter types declared by `defineParameterType({ name: "…", regexp: /…/ })` calls. */
export function extractParameterTypes(sourceText: string): ParameterTypeInfo[] {
  const tokens = scanTokens(sourceText);
  const code = tokens.map((token, index) => ({ token, index })).filter(({ token }) => token.kind !== "comment");
  const types: ParameterTypeInfo[] = [];
  for (let c = 0; c < code.length; c += 1) {
    const { token, index } = code[c]!;
    if (token.kind !== "identifier" || token.text !== "defineParameterType" || code[c + 1]?.token.text !== "(") {
      continue;
    }
    // Walk the call's arguments, tracking nesting, and pick out the top-level `name:` and `regexp:` properties.
    let depth = 0;
    let name: string | undefined;
    const regexps: RegExp[] = [];
    for (let k = c + 1; k < code.length; k += 1) {
      const t = code[k]!.token;
      if (t.kind === "punctuator" && "([{".includes(t.text)) depth += 1;
      else if (t.kind === "punctuator" && ")]}".includes(t.text)) depth -= 1;
      if (depth === 0) break;
      if (depth !== 2 || t.kind !== "identifier" || code[k + 1]?.token.text !== ":") continue;
      const value = code[k + 2]?.token;
      if (t.text === "name" && value?.kind === "string") name = value.value;
      if (t.text === "regexp" && value?.kind === "regexp") regexps.push(toRegExp(value.text));
      if (t.text === "regexp" && value?.text === "[") {
        for (let r = k + 3; code[r] && code[r]!.token.text !== "]"; r += 1) {
          if (code[r]!.token.kind === "regexp") regexps.push(toRegExp(code[r]!.token.text));
        }
      }
    }
    if (name === undefined || regexps.length === 0) {
      throw new Error(
        `line ${token.line}: cannot read this defineParameterType call (expected literal \`name: "…"\` and \`regexp: /…/\`)`,
      );
    }
    const type: ParameterTypeInfo = { name, regexps };
    const doc = docAbove(tokens, index);
    if (doc) type.doc = doc;
    types.push(type);
  }
  return types;
}

function toRegExp(literal: string): RegExp {
  const end = literal.lastIndexOf("/");
  return new RegExp(literal.slice(1, end), literal.slice(end + 1));
}

const gherkinHeader =
  /^(Feature|Rule|Background|Scenario Outline|Scenario Template|Scenario|Example|Examples|Scenarios):/;
const gherkinStep = /^(Given|When|Then|And|But|\*)\s+(\S.*)$/;

/**
 * Finds the steps of one feature file: lines starting with Given/When/Then/And/But/* inside a Background or a
 * Scenario, outside docstrings. Steps of a Scenario Outline are expanded with the first row of its first Examples.
 */
export function parseFeatureSteps(file: string, text: string): FeatureStep[] {
  const steps: FeatureStep[] = [];
  let section: "description" | "steps" | "outline" | "examples" = "description";
  let docStringDelimiter: string | undefined;
  let previous: FeatureStep | undefined;
  let keyword: string | undefined;
  let outline: FeatureStep[] = [];
  let examplesHeader: string[] | undefined;
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (docStringDelimiter !== undefined) {
      if (line === docStringDelimiter) docStringDelimiter = undefined;
      continue;
    }
    if (line === "" || line.startsWith("#") || line.startsWith("@")) continue;
    const header = gherkinHeader.exec(line)?.[1];
    if (header !== undefined) {
      previous = undefined;
      if (header === "Examples" || header === "Scenarios") {
        section = "examples";
        examplesHeader = undefined;
        continue;
      }
      outline = [];
      keyword = undefined;
      if (header === "Scenario Outline" || header === "Scenario Template") section = "outline";
      else if (header === "Feature" || header === "Rule") section = "description";
      else section = "steps";
      continue;
    }
    if (section === "description") continue;
    if (line.startsWith("|")) {
      if (previous) previous.dataTable = true;
      if (section !== "examples") continue;
      const cells = tableCells(line);
      if (examplesHeader === undefined) examplesHeader = cells;
      else if (outline.length > 0) {
        for (const step of outline) step.text = substitute(step.text, examplesHeader, cells);
        outline = [];
      }
      continue;
    }
    if (previous && (line.startsWith('"""') || line.startsWith("```"))) {
      docStringDelimiter = line.slice(0, 3);
      previous.docString = line;
      continue;
    }
    const step = section === "examples" ? null : gherkinStep.exec(line);
    if (!step) {
      previous = undefined; // free text (a scenario's description): not a step, and ends the previous one
      continue;
    }
    const written = step[1]!;
    if (written === "Given" || written === "When" || written === "Then") keyword = written;
    previous = { file, line: index + 1, keyword: keyword ?? written, text: step[2]!.trim() };
    steps.push(previous);
    if (section === "outline") outline.push(previous);
  }
  return steps;
}

function tableCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  for (let i = 1; i < line.length; i += 1) {
    const char = line[i]!;
    if (char === "\\" && i + 1 < line.length) {
      const next = line[i + 1]!;
      cell += next === "n" ? "\n" : next;
      i += 1;
    } else if (char === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += char;
  }
  return cells;
}

function substitute(text: string, header: readonly string[], row: readonly string[]): string {
  return text.replace(/<([^<>]+)>/g, (whole, name: string) => {
    const column = header.indexOf(name);
    return column >= 0 && row[column] !== undefined ? row[column] : whole;
  });
}

/** A registry with Cucumber's built-in parameter types and the project's custom ones. */
export function parameterTypeRegistry(
  parameterTypes: readonly ParameterTypeInfo[] = DEFAULT_PARAMETER_TYPES,
): ParameterTypeRegistry {
  const registry = new ParameterTypeRegistry();
  for (const type of parameterTypes) {
    registry.defineParameterType(new ParameterType(type.name, [...type.regexps], String, (s?: string) => s ?? ""));
  }
  return registry;
}

/** Compiles each step's expression; throws an Error naming the step's file:line if one does not compile. */
function compile(steps: readonly StepDefinition[], registry: ParameterTypeRegistry): Expression[] {
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
  parameterTypes: readonly ParameterTypeInfo[] = DEFAULT_PARAMETER_TYPES,
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
  parameterTypes: readonly ParameterTypeInfo[] = DEFAULT_PARAMETER_TYPES,
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
export function renderMarkdown(
  steps: readonly CatalogStep[],
  parameterTypes: readonly ParameterTypeInfo[] = DEFAULT_PARAMETER_TYPES,
): string {
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

function describeParameterType(type: ParameterTypeInfo): string {
  const alternatives = type.regexps.every((r) => /^[\w-]+(\|[\w-]+)*$/.test(r.source))
    ? type.regexps.flatMap((r) => r.source.split("|"))
    : undefined;
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
