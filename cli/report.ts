import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../support/errors/user-error.ts";
import { createLogger } from "../support/log/logger.ts";
import { generateAllureReport } from "../tooling/reports/allure.ts";
import { mergeReports } from "../tooling/reports/merge.ts";
import { recordDurations } from "../tooling/sharding/durations.ts";
import { readScenarios } from "../tooling/sharding/scenarios.ts";
import { parseOptions } from "./options.ts";

const help = `kubequake report merge DIR… [--out DIR]

Merges the reports of several runs (the shards of \`kubequake run --shard I/N\`, one reports directory each) into
one: cucumber-messages.ndjson and cucumber.html, junit/cucumber.xml, allure-results/ and the Allure HTML report
(allure-report/, with the history file named in allurerc.mjs), and durations.json for the next split.
--out DIR   where to write (default reports/); it may be one of the inputs' parent, not one of the inputs.`;

/** `kubequake report …`. */
export async function reportCommand(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UserError(`kubequake report: ${error instanceof Error ? error.message.split("\n")[0] : error}`, help);
  }
  const { values, positionals } = parsed;
  const [sub, ...dirs] = positionals;
  if (values.help || sub === undefined) {
    console.log(help);
    return 0;
  }
  if (sub !== "merge")
    throw new UserError(`unknown report subcommand "${sub}"; expected merge.`, "see `npx kubequake report --help`.");
  if (dirs.length === 0) throw new UserError("kubequake report merge needs the reports directories to merge", help);
  const missing = dirs.filter((d) => !existsSync(d));
  if (missing.length > 0)
    throw new UserError(`no such reports directory: ${missing.join(", ")}`, "pass the shards' reports directories.");
  const out = values.out ?? "reports";
  if (dirs.some((d) => join(d) === join(out)))
    throw new UserError(`--out ${out} is one of the inputs`, "write the merged report to another directory.");
  const log = createLogger("report");
  const started = performance.now();
  const summary = await mergeReports(dirs, out);
  const durations = recordDurations(join(out, "durations.json"), readScenarios(join(out, "cucumber-messages.ndjson")));
  log.info(
    `merged ${summary.shards} run(s): ${summary.scenarios} scenario(s), ${summary.junitTests} JUnit test case(s), ${summary.allureFiles} Allure file(s), ${durations} duration(s) recorded (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  await generateAllureReport(out, log);
  log.info(`reports: ${out}/cucumber.html, ${out}/junit/cucumber.xml, ${out}/allure-report/index.html`);
  return 0;
}

function parse(argv: readonly string[]) {
  return parseOptions("report", argv, {
    allowPositionals: true,
    options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
}
