// cucumber-js configuration: `npx cucumber-js` runs the features; `npx kubequake run` wraps it with cluster set-up.
import { demoImageName } from "./tooling/cluster-build/stages.ts";
import { loadVersions } from "./tooling/cluster-build/versions.ts";

/** Where reports go: reports/ by default; the harness's own tests point runs elsewhere so they clobber nothing. */
const reports = process.env.KUBEQUAKE_REPORTS ?? "reports";
// The demo image scenarios deploy: `kubequake run` names it (--demo-image, or the one `cluster up` built); run
// directly, cucumber-js uses the one `cluster up` builds from the pinned versions.
process.env.KUBEQUAKE_DEMO_IMAGE ||= demoImageName(loadVersions());

const common = {
  import: ["support/world.ts", "support/parameter-types.ts", "support/hooks.ts", "steps/**/*.ts"],
  // Exactly one formatter may write to stdout; every other one needs a file (the Allure reporter's is its log).
  format: [
    "./tooling/reports/console-formatter.ts",
    `html:${reports}/cucumber.html`,
    `junit:${reports}/junit/cucumber.xml`,
    `message:${reports}/cucumber-messages.ndjson`,
    `allure-cucumberjs/reporter:${reports}/allure-reporter.log`,
  ],
  formatOptions: {
    resultsDir: `${reports}/allure-results`,
    junit: { suiteName: "kubequake" },
    labels: [
      { pattern: [/@epic:(.*)/], name: "epic" },
      { pattern: [/@severity:(.*)/], name: "severity" },
      { pattern: [/@upstream:(.*)/], name: "upstream" },
    ],
    // A scenario's @upstream:<id> tag links to its row in docs/COVERAGE.md (the Kubernetes e2e test it covers),
    // relative to reports/allure-report/, where a checkout's report is opened.
    links: { upstream: { pattern: [/@upstream:(.*)/], urlTemplate: "../../docs/COVERAGE.md#%s" } },
  },
  parallel: 2,
  // Only scenarios tagged @flaky get a second attempt; a pass on it is reported as flaky (kubequake run, Allure).
  retry: 1,
  retryTagFilter: "@flaky",
};

// No `paths`: cucumber-js defaults to features/, and paths given on the command line replace that default.
export default common;

/** Fixture features (scenarios that must fail, malformed input): run by the harness's own tests only. */
export const fixtures = {
  ...common,
  format: ["summary", `message:${reports}/fixtures/cucumber-messages.ndjson`],
  parallel: 0,
};

/** `kubequake run` checks paths, parsing, tags and step definitions with a dry run before it touches the cluster. */
export const preflight = {
  import: common.import,
  format: [],
  dryRun: true,
};

/** Chaos fixtures that must fail: also loads the fixture-only steps that inject defects. */
export const chaosFixtures = {
  ...fixtures,
  import: [...common.import, "test/fixtures/steps/**/*.ts"],
  format: ["summary", `message:${reports}/chaos-fixtures/cucumber-messages.ndjson`],
};
