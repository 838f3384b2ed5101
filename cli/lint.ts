import { existsSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../support/errors/user-error.ts";
import type { FeatureText } from "../tooling/catalog/catalog.ts";
import { formatProblems, type LintProblem, lintFeatures } from "../tooling/lint/lint.ts";
import { parseOptions } from "./options.ts";
import { listFiles, loadProjectSupport } from "./project.ts";

const usage = `kubequake lint — check feature files without a cluster

Usage:
  kubequake lint [paths…]     lint these feature files or folders (default: features/)

Reports, each with file:line, what was expected and what was seen:
  - steps no definition matches (with the nearest phrases, or a parameter's accepted values) and ambiguous steps
  - unknown tags (known: @serial, @chaos, @smoke, @slow, @wip, @flaky, @epic:…, @severity:…, @upstream:<id>, @needs:…)
  - an Outline's <placeholder> with no such Examples column (named, with the columns there are)
  - a cluster-wide fault (node, kube-proxy, CoreDNS, API server) in a scenario not tagged @serial
  - manifests (docstrings and files) that do not parse, lack apiVersion, kind or metadata.name, name an apiVersion
    that does not serve a built-in kind (apps/v2 Deployment), set metadata.namespace (kubequake assigns each
    scenario its own), or create a cluster-scoped kind
  - numbers that cannot be meant ("within 0 seconds", negative replicas or rates)
  - request counts (1 to 100000 per step) and steady-traffic rates (1 to 5000 per client pod) out of range
  - numbers that leave a check nothing to judge: a percentage outside 0-100, a percentile outside p1-p100,
    0 pods to kill or make unready, a schedule of 0 times, "at least 0" requests or pods
  - with the default path only: step definitions no feature uses (a warning)
\`kubequake run\` runs the same checks on the scenarios it selected before touching the cluster (exit code 2).
Exits 1 if there is an error; warnings alone exit 0.`;

/** `kubequake lint`: returns the exit code. */
export async function lintCommand(argv: readonly string[]): Promise<number> {
  const started = performance.now();
  const parsed = parseOptions("lint", argv, {
    options: { help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const root = fileURLToPath(new URL("../", import.meta.url));
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ["features"];
  const { problems, files, steps } = await lintPaths(root, paths, parsed.positionals.length === 0);
  const errors = problems.filter((p) => p.severity === "error").length;
  if (problems.length > 0) console.log(formatProblems(problems));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `kubequake lint: ${files} feature file(s), ${steps} step definition(s): ${errors} error(s), ${problems.length - errors} warning(s) in ${seconds} s`,
  );
  return errors > 0 ? 1 : 0;
}

/**
 * Lints the scenarios a run selected (by their feature file and the line `file:line` selects them by), with the
 * same checks as `kubequake lint`: what `kubequake run` does before it touches the cluster.
 */
export async function lintSelection(
  root: string,
  scenarios: readonly { uri: string; line: number }[],
): Promise<LintProblem[]> {
  const keys = new Set(scenarios.map((s) => `${s.uri}:${s.line}`));
  const files = [...new Set(scenarios.map((s) => s.uri))];
  const { problems } = await lintPaths(root, files, false, (file, line) => keys.has(`${file}:${line}`));
  return problems;
}

/** Lints the feature files under `paths` (relative to the project root, or absolute). */
export async function lintPaths(
  root: string,
  paths: readonly string[],
  checkUnused: boolean,
  selected?: (file: string, line: number) => boolean,
): Promise<{ problems: LintProblem[]; files: number; steps: number }> {
  const features: FeatureText[] = [];
  for (const path of paths) {
    const bare = path.replace(/:\d+(:\d+)*$/, "");
    const absolute = bare.startsWith("/") ? bare : join(root, bare);
    if (!existsSync(absolute)) {
      throw new UserError(
        `lint: no such feature file or folder: ${path}`,
        "give paths relative to the project root, e.g. features/routing or features/routing/clusterip-routing.feature.",
      );
    }
    const projectPath = relative(root, absolute).split("\\").join("/");
    const files = statSync(absolute).isDirectory() ? await listFiles(root, projectPath, ".feature") : [projectPath];
    for (const file of files) features.push({ file, text: await readFile(join(root, file), "utf8") });
  }
  const support = await loadProjectSupport(root);
  const readManifest = (path: string): string | undefined => {
    try {
      return readFileSync(join(root, path), "utf8");
    } catch {
      return undefined;
    }
  };
  let problems: LintProblem[];
  try {
    problems = lintFeatures({
      definitions: support.definitions,
      parameterTypes: support.parameterTypes,
      features,
      readFile: readManifest,
      checkUnused,
      ...(selected ? { selected } : {}),
    });
  } catch (error) {
    throw new UserError(
      error instanceof Error ? error.message : String(error),
      "fix the step's expression, or define its parameter type in support/parameter-types.ts.",
    );
  }
  return { problems, files: features.length, steps: support.definitions.length };
}
