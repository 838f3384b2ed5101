// docs/COVERAGE.md: which of Kubernetes' own Service/DNS e2e checks kubequake scenarios cover (by @upstream tags).
//   node scripts/coverage.ts --out docs/COVERAGE.md   writes it
//   node scripts/coverage.ts --check docs/COVERAGE.md fails (exit 1) when the file is stale or a tag is wrong
import { readFileSync, writeFileSync } from "node:fs";
import { findCoveringScenarios, renderCoverage } from "../support/coverage/report.ts";

const [mode, file = "docs/COVERAGE.md"] = process.argv.slice(2);
try {
  const text = renderCoverage(findCoveringScenarios("features"));
  if (mode === "--out") {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  } else if (mode === "--check") {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${file} is stale: run \`node scripts/coverage.ts --out ${file}\` and commit it`);
      process.exit(1);
    }
    console.log(`${file} is up to date`);
  } else {
    console.error("usage: node scripts/coverage.ts --out|--check [docs/COVERAGE.md]");
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
