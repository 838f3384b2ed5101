/** One mistake lint found: where, how bad, what, and what was expected and seen. */
export interface LintProblem {
  file: string;
  line: number;
  severity: "error" | "warning";
  message: string;
  expected?: string;
  seen?: string;
}
