// Allure 3 report configuration, read by `allure generate` (run by `kubequake run` and `kubequake report merge`).
// The history file accumulates one entry per run so the report shows trends and flaky scenarios; nightly CI keeps
// it between runs. It lives with the reports it describes (KUBEQUAKE_REPORTS, default reports/), so the harness's
// own fixture runs never add to the real history.
const reports = process.env.KUBEQUAKE_REPORTS ?? "reports";

export default {
  name: "kubequake",
  output: `${reports}/allure-report`,
  historyPath: `${reports}/allure-history.jsonl`,
  historyLimit: 30,
  // Why a scenario failed, in the order a nightly triage asks it. The first rule that matches wins.
  categories: {
    rules: [
      {
        name: "Flaky",
        id: "flaky",
        matchers: { flaky: true },
      },
      {
        // The cluster or the machine, not the Service under test: an API server that does not answer, a node or
        // engine gone, an undo that could not be done, a cluster that was not healthy before the scenario.
        name: "Infrastructure error",
        id: "infrastructure",
        matchers: {
          statuses: ["failed", "broken"],
          message:
            /no healthy .*cluster|does not answer|ECONNREFUSED|ECONNRESET|socket hang up|aborted due to timeout|no usable Docker engine|could not be undone|cannot be loaded into the nodes|ImagePull|ErrImageNeverPull|Insufficient (cpu|memory)|node\(s\) .* NotReady|the cluster is not whole/i,
        },
      },
      {
        // The scenario or kubequake itself: a mistake the scenario's author can fix ("what to do:"), a step that
        // matches no definition, or a bug in kubequake (a TypeError and its kin).
        name: "Harness error",
        id: "harness",
        matchers: [
          { statuses: ["failed", "broken"], message: /what to do:|matches no step definition|Undefined step/i },
          {
            statuses: ["failed", "broken"],
            message: /TypeError|ReferenceError|SyntaxError|is not a function|Cannot read properties/,
          },
        ],
      },
      {
        // Everything else that failed is a check that saw the Services behave other than stated.
        name: "Product defect",
        id: "product",
        matchers: { statuses: ["failed", "broken"] },
      },
    ],
  },
  plugins: {
    // Group scenarios as QA thinks of them: by capability (the @epic:… tag of each feature), then by feature.
    awesome: { options: { groupBy: ["epic", "feature"] } },
  },
};
