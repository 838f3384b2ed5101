// The bench scripts' own arguments: `--help` prints what a script measures and how to call it, and an argument it
// does not know is refused before it touches the cluster (a typo must not start 10 minutes of measuring).
import { readFileSync } from "node:fs";
import { UserError } from "../support/errors/user-error.ts";

export type BenchRequest = { kind: "help" } | { kind: "measure" } | { kind: "soak" };

/** What the user asked of a bench script: its help, its measurement, or (`--soak`, bench/scenarios.ts only) a soak. */
export function benchRequest(
  argv: readonly string[],
  script: { name: string; flags: readonly string[]; soak: boolean },
): BenchRequest {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };
  if (script.soak && argv.includes("--soak")) return { kind: "soak" }; // bench/soak.ts reads the rest
  const unknown = argv.filter((argument) => !script.flags.includes(argument));
  if (unknown.length > 0) {
    const accepted = [...script.flags, ...(script.soak ? ["--soak N …"] : []), "--help"].join(", ");
    throw new UserError(
      `${script.name} does not take ${unknown.map((a) => `"${a}"`).join(", ")}; it accepts ${accepted}`,
      `run \`${script.name} -- --help\` to see what each one does`,
    );
  }
  return { kind: "measure" };
}

/** The script's header comment, the lines from its top that start with `//`, as its --help text. */
export function usageFromHeader(source: string): string {
  const lines: string[] = [];
  for (const line of source.split("\n")) {
    if (!line.startsWith("//")) break;
    lines.push(line.replace(/^\/\/ ?/, ""));
  }
  return lines.join("\n");
}

/**
 * For a bench script's entry: prints its help (exit 0) or its argument mistake (exit 1) and ends the process;
 * otherwise returns what to do: measure, or soak.
 */
export function answerBenchArguments(
  argv: readonly string[],
  script: { name: string; flags: readonly string[]; soak: boolean },
  scriptUrl: URL,
): "measure" | "soak" {
  let request: BenchRequest;
  try {
    request = benchRequest(argv, script);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    console.error(error.message); // it names the script already
    process.exit(1);
  }
  if (request.kind === "help") {
    console.log(usageFromHeader(readFileSync(scriptUrl, "utf8")));
    process.exit(0);
  }
  return request.kind;
}
