/**
 * An error the user can act on: what went wrong, where, what was expected and seen, and what to do next.
 * The CLI prints it without a stack trace.
 */
export class UserError extends Error {
  readonly fix: string;
  /** The exit code the CLI ends with: 1, or 2 for input refused before anything ran (lint errors, unknown options). */
  readonly exitCode: number;
  constructor(message: string, fix: string, options?: { cause?: unknown; exitCode?: number }) {
    // The fix is part of the message so that every report (Cucumber, JUnit, Allure) shows it too.
    // Cucumber prints a cause's whole stack ("Caused by: …"): keep the cause only when debugging kubequake.
    super(`${message}\n  what to do: ${fix}`, process.env.KUBEQUAKE_VERBOSE ? options : undefined);
    this.name = "UserError";
    this.fix = fix;
    this.exitCode = options?.exitCode ?? 1;
    // A user's mistake needs the message, not our call stack; KUBEQUAKE_VERBOSE=1 keeps it for debugging kubequake.
    if (!process.env.KUBEQUAKE_VERBOSE) this.stack = `${this.name}: ${this.message}`;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError) {
    return [error.message, ...error.errors.map((inner) => `  - ${describeError(inner)}`)].join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}
