// Allure 3 report configuration, read by `allure generate` (run by `kubequake run`). The history file accumulates
// one entry per run so the report shows trends and flaky scenarios; nightly CI keeps it between runs.
export default {
  name: "kubequake",
  output: "reports/allure-report",
  historyPath: "reports/allure-history.jsonl",
  historyLimit: 30,
  plugins: {
    // Group scenarios as QA thinks of them: by capability (the @epic:… tag of each feature), then by feature.
    awesome: { options: { groupBy: ["epic", "feature"] } },
  },
};
