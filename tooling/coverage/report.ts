import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from "@cucumber/gherkin";
import { IdGenerator } from "@cucumber/messages";
import { UserError } from "../../support/errors/user-error.ts";
import { readSpecList } from "./e2e-specs.ts";
import { type CoverageStatus, gradeProblems, statuses, type UpstreamCheck, upstreamChecks } from "./grades.ts";

/** A scenario that names an upstream check it covers. */
export interface CoveringScenario {
  readonly id: string;
  readonly where: string;
  readonly name: string;
}

const tagPrefix = "@upstream:";

/** Every `@upstream:<id>` tag of the feature files under `dir` (Feature-level tags apply to each scenario). */
export function findCoveringScenarios(dir: string, root = "."): CoveringScenario[] {
  const found: CoveringScenario[] = [];
  for (const file of featureFiles(dir)) {
    const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
    const feature = parser.parse(readFileSync(file, "utf8")).feature;
    if (!feature) continue;
    const featureTags = feature.tags.map((t) => t.name);
    for (const child of feature.children) {
      const scenario = child.scenario;
      if (!scenario) continue;
      for (const tag of [...featureTags, ...scenario.tags.map((t) => t.name)]) {
        if (!tag.startsWith(tagPrefix)) continue;
        found.push({
          id: tag.slice(tagPrefix.length),
          where: `${relative(root, file)}:${scenario.location.line}`,
          name: scenario.name,
        });
      }
    }
  }
  return found;
}

function featureFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? featureFiles(path) : entry.endsWith(".feature") ? [path] : [];
    });
}

/**
 * Checks the tags against the grades: an unknown id is a typo; a test graded full or partial must have a scenario
 * tagged with it, and one graded not-applicable or not-written must have none (the grade would be stale). Returns
 * the problems, one line each, the spec list's and grades' own problems first.
 */
export function coverageProblems(
  scenarios: readonly CoveringScenario[],
  checks: readonly UpstreamCheck[] = upstreamChecks,
  listProblems: readonly string[] = gradeProblems,
): string[] {
  const known = new Set(checks.map((c) => c.id));
  const problems = [...listProblems];
  problems.push(
    ...scenarios
      .filter((s) => !known.has(s.id))
      .map((s) => `${s.where}: @upstream:${s.id} names no upstream test (see tooling/coverage/grades.yaml)`),
  );
  for (const check of checks) {
    const covered = scenarios.some((s) => s.id === check.id);
    const claimsCoverage = check.status === "full" || check.status === "partial";
    if (claimsCoverage && !covered)
      problems.push(`${check.id}: graded ${check.status}, but no scenario is tagged @upstream:${check.id}`);
    if (!claimsCoverage && covered)
      problems.push(
        `${check.id}: a scenario is tagged @upstream:${check.id}, so "${check.status}" is stale: grade it full or partial`,
      );
  }
  return problems;
}

/** The one line that gives the counts, on the coverage page and in the README (checked to agree). */
export function coverageHeadline(checks: readonly UpstreamCheck[] = upstreamChecks): string {
  const counts = countStatuses(checks);
  return `**${counts.full} of ${checks.length} upstream tests fully covered**; ${counts.partial} partial, ${counts["not-applicable"]} not applicable here, ${counts["not-written"]} not written.`;
}

/** How many upstream tests have each status. */
export function countStatuses(checks: readonly UpstreamCheck[]): Record<CoverageStatus, number> {
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<CoverageStatus, number>;
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

const statusLabel: Record<CoverageStatus, string> = {
  full: "**full**",
  partial: "partial",
  "not-applicable": "not applicable here",
  "not-written": "not written",
};

/**
 * docs/COVERAGE.md (links are relative to docs/): every upstream test with its grade, the scenarios tagged with it
 * and the grade's note. The headline counts full grades only.
 */
export function renderCoverage(
  scenarios: readonly CoveringScenario[],
  checks: readonly UpstreamCheck[] = upstreamChecks,
  list: { kubernetesVersion: string; focus: string } = readSpecList(),
  listProblems: readonly string[] = gradeProblems,
): string {
  const problems = coverageProblems(scenarios, checks, listProblems);
  if (problems.length > 0) {
    throw new UserError(
      `the upstream test list, its grades and the @upstream tags disagree:\n  ${problems.join("\n  ")}`,
      "grade every spec in tooling/coverage/grades.yaml, and tag the scenarios of every test graded full or partial.",
    );
  }
  const lines = [
    "# Coverage of Kubernetes' own Service e2e tests",
    "",
    "Generated by `node scripts/coverage.ts --out docs/COVERAGE.md` from the pinned e2e.test's own spec list",
    "(tooling/coverage/e2e-specs.json), the grades in tooling/coverage/grades.yaml and the `@upstream:<id>` tags of the",
    "feature files; `npm test` fails when the list, a grade or this file is stale. Do not edit by hand.",
    "",
    coverageHeadline(checks),
    "",
    `The list: every spec of e2e.test ${list.kubernetesVersion} whose full name matches \`${list.focus}\``,
    "(`e2e.test --ginkgo.dry-run`).",
    "",
    "What a grade means:",
    "- **full**: kubequake's scenarios assert, against a real cluster with real traffic, what the upstream test",
    "  asserts; the note names those assertions. Only these count in the headline.",
    "- **partial**: a scenario checks part of it; the note says exactly which upstream assertion is missing.",
    "- **not applicable here**: the test cannot run on this cluster; the note says why, as checked on this machine.",
    "- **not written**: nothing covers it yet; the note says what is missing.",
    "",
  ];
  let section = "";
  for (const [index, check] of checks.entries()) {
    if (check.section !== section) {
      section = check.section;
      const inSection = checks.filter((c) => c.section === section);
      const full = inSection.filter((c) => c.status === "full").length;
      lines.push(
        `## ${section} (${full} of ${inSection.length} full)`,
        "",
        "| upstream test | grade | kubequake | note |",
        "|---|---|---|---|",
      );
    }
    const by = scenarios.filter((s) => s.id === check.id);
    const cell = by.map((s) => `[${s.name}](../${s.where.replace(/:(\d+)$/, "#L$1")})`).join("<br>") || "—";
    const source = `https://github.com/kubernetes/kubernetes/blob/${list.kubernetesVersion}/${check.location.replace(/:(\d+)$/, "#L$1")}`;
    // The anchor is the scenario tag itself, so the Allure report's link for a tag lands on its row.
    lines.push(
      `| <a id="@upstream:${check.id}"></a>[${escapeCell(shortName(check))}](${source}) \`${check.id}\` | ${statusLabel[check.status]} | ${cell} | ${escapeCell(check.note)} |`,
    );
    const next = checks[index + 1];
    if (!next || next.section !== section) lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The spec's name without "[sig-network] <section> ", which the section heading already says. */
function shortName(check: UpstreamCheck): string {
  const prefix = `[sig-network] ${check.section} `;
  return check.test.startsWith(prefix) ? check.test.slice(prefix.length) : check.test.replace(/^\[sig-network\] /, "");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
