import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../support/errors/user-error.ts";
import {
  type CatalogStep,
  type FeatureText,
  findExamples,
  matchFeatureSteps,
  renderMarkdown,
} from "../tooling/catalog/catalog.ts";
import { parseOptions } from "./options.ts";
import { listFiles, loadProjectSupport } from "./project.ts";

const usage = `kubequake steps — the step catalog (Markdown), generated from the step definitions

Usage:
  kubequake steps                 print the catalog to stdout
  kubequake steps --out FILE      write it to FILE (such as docs/STEPS.md)
  kubequake steps --check FILE    exit 1 if FILE differs from what would be generated (for CI)

Loads steps/**/*.ts and support/parameter-types.ts through cucumber-js's own API (as a run does) and parses
features/**/*.feature with @cucumber/gherkin.
Warns on stderr about feature steps that no definition matches, or that several definitions match.`;

const fix = "see `npx kubequake steps --help`.";

/** `kubequake steps`: prints, writes or checks the step catalog; returns the exit code. */
export async function stepsCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseOptions("steps", argv, {
    options: { out: { type: "string" }, check: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.out !== undefined && values.check !== undefined) {
    throw new UserError("steps: --out and --check cannot be used together.", fix);
  }

  const root = fileURLToPath(new URL("../", import.meta.url));
  const { markdown, count } = await generateCatalog(root, (warning) =>
    process.stderr.write(`kubequake steps: warning: ${warning}\n`),
  );

  if (values.check !== undefined) {
    const file = values.check;
    const current = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new UserError(`cannot read ${file}: ${error.message}`, "check the path and its permissions.");
    });
    const regenerate = `run \`npx kubequake steps --out ${file}\` and commit the result.`;
    if (current === undefined)
      throw new UserError(`${file} does not exist, so the step catalog is missing.`, regenerate);
    const difference = firstDifference(current.replace(/\r\n/g, "\n"), markdown);
    if (difference !== undefined) {
      throw new UserError(
        `${file} is out of date with the step definitions and features: it differs from line ${difference.line}\n` +
          `  in the file:     ${difference.actual}\n` +
          `  would generate:  ${difference.expected}`,
        regenerate,
      );
    }
    process.stderr.write(`${file} is up to date (${count} steps)\n`);
    return 0;
  }
  if (values.out !== undefined) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, markdown);
    process.stderr.write(`wrote ${values.out} (${count} steps)\n`);
    return 0;
  }
  process.stdout.write(markdown);
  return 0;
}

/** Reads the project under `root` and renders its catalog; `warn` hears of features that would not run cleanly. */
export async function generateCatalog(
  root: string,
  warn: (message: string) => void = () => {},
): Promise<{ markdown: string; count: number; steps: CatalogStep[] }> {
  const support = await loadProjectSupport(root);
  // Steps that only the harness's must-fail fixtures load are not part of the vocabulary.
  const definitions = support.definitions.filter((step) => !step.file.startsWith("test/"));
  if (definitions.length === 0) {
    throw new UserError(
      `no step definitions found in ${join(root, "steps")} (cucumber-js loaded no Given/When/Then from steps/**/*.ts).`,
      "run the command from a kubequake checkout with its steps/ folder.",
    );
  }
  const features: FeatureText[] = [];
  for (const file of await listFiles(root, "features", ".feature")) {
    features.push({ file, text: await readFile(join(root, file), "utf8") });
  }
  const warnings: string[] = [];
  let steps: CatalogStep[];
  try {
    steps = findExamples(definitions, features, support.parameterTypes);
    for (const { step, definitions: matched } of matchFeatureSteps(definitions, features, support.parameterTypes)) {
      const where = `${step.file}:${step.line}: "${step.keyword} ${step.text}"`;
      if (matched.length === 0) warnings.push(`${where} matches no step definition`);
      if (matched.length > 1) {
        const names = matched.map((i) => `${definitions[i]!.file}:${definitions[i]!.line}`).join(", ");
        warnings.push(`${where} is ambiguous: ${matched.length} step definitions match it (${names})`);
      }
    }
  } catch (error) {
    throw new UserError(
      error instanceof Error ? error.message : String(error),
      "fix the feature file or the step's expression (`npx kubequake lint` lists every such mistake).",
    );
  }
  for (const warning of warnings) warn(warning);
  return { markdown: renderMarkdown(steps, support.parameterTypes), count: steps.length, steps };
}

function firstDifference(
  actual: string,
  expected: string,
): { line: number; actual: string; expected: string } | undefined {
  if (actual === expected) return undefined;
  const a = actual.split("\n");
  const e = expected.split("\n");
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i += 1;
  const show = (line: string | undefined) => (line === undefined ? "(end of file)" : JSON.stringify(clip(line)));
  return { line: i + 1, actual: show(a[i]), expected: show(e[i]) };
}

function clip(line: string): string {
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}
