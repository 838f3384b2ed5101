// Allure 3 report configuration, read by `allure generate` (run by `kubequake run`). The history file accumulates
// one entry per run so the report shows trends and flaky scenarios; nightly CI keeps it between runs.
export default {
  name: "kubequake",
  output: "reports/allure-report",
  historyPath: "reports/allure-history.jsonl",
  historyLimit: 30,
};
