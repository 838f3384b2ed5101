// docs/COVERAGE.md: how much of Kubernetes' own Service e2e tests kubequake's scenarios prove (by @upstream tags).
//   node scripts/coverage.ts --out [docs/COVERAGE.md]    writes it
//   node scripts/coverage.ts --check [docs/COVERAGE.md]  fails (exit 1) when it or the README's counts are stale, a grade is
//                                                       missing or a tag is wrong
//   node scripts/coverage.ts --list                      lists the specs again from the pinned e2e.test (builds it if needed)
//   node scripts/coverage.ts --check-list                fails when tooling/coverage/e2e-specs.json differs from that list
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSpecList, listE2ESpecs, specListPath } from "../tooling/coverage/e2e-specs.ts";
import { coverageHeadline, findCoveringScenarios, renderCoverage } from "../tooling/coverage/report.ts";

const usage = `usage: node scripts/coverage.ts --out|--check [docs/COVERAGE.md]
       node scripts/coverage.ts --list|--check-list`;
const [mode, file = "docs/COVERAGE.md"] = process.argv.slice(2);

/** The spec list as the pinned e2e.test gives it now (built into the cache first, as `kubequake conformance` does). */
async function listFromE2ETest(): Promise<string> {
  const { buildStages } = await import("../tooling/cluster-build/build.ts");
  const { resolveStages } = await import("../tooling/cluster-build/stages.ts");
  const { loadVersions } = await import("../tooling/cluster-build/versions.ts");
  const { createLogger } = await import("../support/log/logger.ts");
  const versions = loadVersions();
  await buildStages(versions, createLogger("build"), ["e2e-tests"]);
  const tools = resolveStages(versions, { includeOnDemand: true }).get("e2e-tests")!.entry.path;
  return formatSpecList(await listE2ESpecs(join(tools, "e2e.test"), versions.KUBERNETES_VERSION));
}

function readOr(path: string | URL): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

try {
  if (mode === "--out" || mode === "--check") {
    const text = renderCoverage(findCoveringScenarios("features"));
    if (mode === "--out") {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    } else if (readOr(file) !== text) {
      console.error(`${file} is stale: run \`node scripts/coverage.ts --out ${file}\` and commit it`);
      process.exit(1);
    } else if (!readOr("README.md").includes(coverageHeadline())) {
      console.error(`README.md does not give today's counts; its coverage line must read:\n  ${coverageHeadline()}`);
      process.exit(1);
    } else {
      console.log(`${file} and the README's counts are up to date`);
    }
  } else if (mode === "--list" || mode === "--check-list") {
    const listed = await listFromE2ETest();
    const count = (JSON.parse(listed) as { specs: unknown[] }).specs.length;
    if (mode === "--list") {
      writeFileSync(specListPath, listed);
      console.log(`wrote ${specListPath.pathname}: ${count} specs`);
    } else if (readOr(specListPath) !== listed) {
      console.error(
        `tooling/coverage/e2e-specs.json is stale: the pinned e2e.test lists other specs (${count} now). Run \`node scripts/coverage.ts --list\`, grade the new specs in tooling/coverage/grades.yaml, and commit both.`,
      );
      process.exit(1);
    } else {
      console.log(`tooling/coverage/e2e-specs.json matches the pinned e2e.test: ${count} specs`);
    }
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
