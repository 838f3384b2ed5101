import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseTagExpression } from "@cucumber/tag-expressions";
import { UserError } from "../support/errors/user-error.ts";
import { explainUndefinedStep, formatProblems } from "../tooling/lint/lint.ts";
import { dryRunArguments } from "../tooling/reports/dry-run.ts";
import { readScenarioOutcomes } from "../tooling/reports/messages.ts";
import { readScenarios } from "../tooling/sharding/scenarios.ts";
import { lintSelection } from "./lint.ts";
import { loadProjectSupport } from "./project.ts";

/**
 * What is wrong with the lines of a `file.feature:LINE[:LINE…]` path: each line must be one Cucumber selects by, a
 * Scenario (Outline), Example(s) or Rule keyword or an Examples table row; any other line selects nothing, silently.
 */
export function lineProblems(path: string): string[] {
  const match = /^(.*\.feature)((?::\d+)+)$/.exec(path);
  if (!match || !existsSync(match[1]!)) return [];
  const lines = readFileSync(match[1]!, "utf8").split("\n");
  return match[2]!
    .slice(1)
    .split(":")
    .map(Number)
    .flatMap((line) => {
      const text = (lines[line - 1] ?? "").trim();
      if (/^(Scenario|Scenario Outline|Scenario Template|Example|Examples|Rule):/.test(text) || text.startsWith("|"))
        return [];
      const next = lines.findIndex((l, i) => i >= line - 1 && /^\s*(Scenario|Scenario Outline|Example):/.test(l));
      const seen =
        line > lines.length
          ? `the file has ${lines.length} lines`
          : `line ${line} is ${text ? `"${text.slice(0, 60)}"` : "empty"}`;
      return [
        `${match[1]}:${line} is not the line of a scenario (${seen}${next >= 0 ? `; the next scenario starts at line ${next + 1}: ${lines[next]!.trim().slice(0, 80)}` : ""})`,
      ];
    });
}

/**
 * Everything about a run that can be wrong without a cluster is checked before the cluster is touched, in a
 * second or two: the paths exist, the feature files parse, the tag expression parses, something matches, and every
 * step has a definition. Cucumber's own dry run does the parsing and matching (no step runs, no hook runs).
 */
export async function preflight(options: {
  paths: readonly string[];
  tags?: string;
  name?: string;
}): Promise<{ scenarios: number; lintSeconds: number }> {
  const missing = options.paths.filter((path) => !existsSync(path.replace(/:\d+(:\d+)*$/, "")));
  if (missing.length > 0) {
    throw new UserError(
      `no such feature file or folder: ${missing.join(", ")}`,
      "give paths relative to the project root, e.g. features/routing or features/routing/clusterip-routing.feature:14.",
    );
  }
  const wrongLines = options.paths.flatMap((path) => lineProblems(path));
  if (wrongLines.length > 0) {
    throw new UserError(
      `${wrongLines.join("; ")}`,
      "give the line of a Scenario (or of an Examples row), as the editor shows it; the line moves when lines are added above it.",
    );
  }
  if (options.tags !== undefined) checkTagExpression(options.tags);
  const dir = mkdtempSync(join(tmpdir(), "kubequake-preflight-"));
  try {
    const messages = join(dir, "messages.ndjson");
    const args = dryRunArguments(messages, options);
    const { code, output } = await runQuietly(args);
    if (/could not be parsed|Expected operand/.test(output) || (code !== 0 && !existsSync(messages)))
      throw new UserError(cucumberComplaint(output, options.tags), fixFor(output));
    const outcomes = existsSync(messages) ? readScenarioOutcomes(messages) : [];
    // Lint first: every mistake found without a cluster, in the selected scenarios, before anything is deployed.
    const lintStarted = performance.now();
    if (outcomes.length > 0) await refuseLintErrors(readScenarios(messages));
    const lintSeconds = (performance.now() - lintStarted) / 1000;
    const parseError = /Parse error in "([^"]+)" \((\d+):(\d+)\): (.*)/.exec(output);
    if (parseError) {
      throw new UserError(
        `${parseError[1]}:${parseError[2]}: the feature file does not parse: ${parseError[4]}`,
        "fix that line: every line of a scenario starts with a keyword (Given, When, Then, And, But), a table row, or a docstring.",
      );
    }
    const undefinedSteps = outcomes.flatMap((o) =>
      o.undefinedSteps.map((s) => ({ where: `${o.uri}:${s.line}`, ...s })),
    );
    if (undefinedSteps.length > 0) {
      const support = await loadProjectSupport(fileURLToPath(new URL("../", import.meta.url)));
      const unique = [
        ...new Set(
          undefinedSteps.map(
            (s) =>
              `${s.where}: "${s.text}"\n      ${explainUndefinedStep(s.text, support.definitions, support.parameterTypes)}`,
          ),
        ),
      ];
      throw new UserError(
        `${unique.length} step(s) match no step definition:\n${unique
          .slice(0, 10)
          .map((s) => `    ${s}`)
          .join("\n")}${unique.length > 10 ? `\n    … and ${unique.length - 10} more` : ""}`,
        'pick a phrase from docs/STEPS.md (or `npx kubequake steps`); parameters in {braces} there take numbers or "quoted" text, and {serviceType}-like ones list their accepted words. `npx kubequake lint` checks every feature this way.',
      );
    }
    if (outcomes.length === 0) {
      throw new UserError(
        `no scenario matches ${[options.paths.length > 0 ? `the paths ${options.paths.join(", ")}` : "features/", options.tags ? `the tags ${options.tags}` : "", options.name ? `the name /${options.name}/` : ""].filter(Boolean).join(" and ")}`,
        "check the paths, --tags and --name (a nightly run of nothing is a failure, so kubequake refuses it).",
      );
    }
    return { scenarios: outcomes.length, lintSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Refuses the run (exit code 2) when `kubequake lint` would find an error in the selected scenarios: each such mistake
 * fails its scenario anyway, seconds or minutes later and after deploying, or makes a check prove nothing. There is
 * no switch to skip it: lint needs no cluster, and warnings (unused steps) do not refuse.
 */
async function refuseLintErrors(scenarios: readonly { uri: string; line: number }[]): Promise<void> {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const errors = (await lintSelection(root, scenarios)).filter((p) => p.severity === "error");
  if (errors.length === 0) return;
  throw new UserError(
    `${errors.length} mistake(s) in the selected scenarios, found before touching the cluster (the checks of \`kubequake lint\`):\n${formatProblems(errors)}`,
    "fix them and run again; `npx kubequake lint <paths>` checks without running anything.",
    { exitCode: 2 },
  );
}

function runQuietly(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A tag expression that does not parse, answered at once by cucumber's own parser (the dry run takes a second more). */
function checkTagExpression(tags: string): void {
  try {
    parseTagExpression(tags);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError(cucumberComplaint(why, tags), fixFor(why));
  }
}

/** Cucumber's own words for a mistake it stopped on, without its stack trace. */
function cucumberComplaint(output: string, tags: string | undefined): string {
  const tagError = /Tag expression "([^"]*)" could not be parsed because of syntax error: (.*)/.exec(output);
  if (tagError) return `--tags "${tags ?? tagError[1]}" is not a tag expression: ${tagError[2]}`;
  if (tags && /Expected operand|Unexpected token|could not be parsed/.test(output))
    return `--tags "${tags}" is not a tag expression: ${firstLine(output)}`;
  return `cucumber-js refused the run before any scenario started: ${firstLine(output)}`;
}

function fixFor(output: string): string {
  return /tag expression|Expected operand|could not be parsed/i.test(output)
    ? 'write tags like "@smoke", "@chaos and not @serial" or "(@a or @b) and not @slow".'
    : "read the message above; run `npx cucumber-js --dry-run` for cucumber's full output.";
}

function firstLine(output: string): string {
  return (
    output
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith("at ")) ?? "no output"
  );
}
