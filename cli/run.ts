import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { UserError } from "../support/errors/user-error.ts";
import { createLogger, type Logger } from "../support/log/logger.ts";
import { generateAllureReport } from "../support/reports/allure.ts";
import { lockReports } from "../support/reports/lock.ts";
import { readScenarioOutcomes } from "../support/reports/messages.ts";
import { preflight } from "./preflight.ts";

const help = `kubequake run [paths…] [--tags EXPR] [--parallel N] [--name REGEX] [--no-cluster-up]

Ensures the kind cluster (reusing it when healthy), runs the features with cucumber-js and writes reports:
  reports/cucumber.html, reports/junit/cucumber.xml, reports/allure-results/, reports/allure-report/index.html
  (KUBEQUAKE_REPORTS=DIR writes them under DIR instead)
Default paths: features/. Default parallel: 2 workers (scenarios tagged @serial run alone).
Exit code: 0 when every scenario passed, 1 otherwise, 130 when interrupted.`;

/** `kubequake run`: the nightly job. */
export async function runCommandLine(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseRunArguments(argv);
  if (values.help) {
    console.log(help);
    return 0;
  }
  const parallel = values.parallel ?? "2";
  if (!/^\d+$/.test(parallel) || Number(parallel) < 1)
    throw new UserError(
      `--parallel expects a whole number of workers of at least 1, saw "${parallel}"`,
      "e.g. --parallel 2 (scenarios tagged @serial still run alone).",
    );
  if (!existsSync("cucumber.js")) {
    throw new UserError(
      `no cucumber.js in ${process.cwd()}: kubequake run reads the project's configuration from its root.`,
      "cd to the project root (where package.json and cucumber.js are) and run it again.",
    );
  }
  const log = createLogger("run");
  const checkStarted = performance.now();
  const scenarios = await preflight({ paths: positionals, tags: values.tags, name: values.name });
  log.info(
    `${scenarios} scenario(s) found, every step defined (checked in ${((performance.now() - checkStarted) / 1000).toFixed(1)} s)`,
  );
  if (!values["no-cluster-up"]) {
    const { clusterUp } = await import("../support/cluster/toolchain.ts");
    await clusterUp({ signal }, createLogger("cluster"));
  }
  const reports = process.env.KUBEQUAKE_REPORTS ?? "reports";
  const releaseReports = await lockReports(reports, log, signal);
  try {
    return await runFeatures(
      { reports, parallel, tags: values.tags, name: values.name, paths: positionals },
      log,
      signal,
    );
  } finally {
    releaseReports();
  }
}

async function runFeatures(
  options: { reports: string; parallel: string; tags?: string; name?: string; paths: readonly string[] },
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const { reports, parallel } = options;
  for (const stale of ["allure-results", "cucumber-messages.ndjson"]) {
    rmSync(`${reports}/${stale}`, { recursive: true, force: true });
  }
  mkdirSync(`${reports}/junit`, { recursive: true });
  const args = ["node_modules/@cucumber/cucumber/bin/cucumber.js", "--parallel", parallel];
  if (options.tags) args.push("--tags", options.tags);
  if (options.name) args.push("--name", options.name);
  args.push(...options.paths);
  const runId = process.env.KUBEQUAKE_RUN_ID ?? Date.now().toString(36);
  log.info(`running features (run ${runId}, ${parallel} worker(s))${options.tags ? ` tagged ${options.tags}` : ""}`);
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    // Its own process group, so a signal we forward reaches cucumber however it came to us (Ctrl-C in a terminal,
    // SIGTERM from CI); cucumber's main thread then deletes every namespace of the run before exiting.
    const child = spawn(process.execPath, args, {
      stdio: "inherit",
      detached: true,
      env: { ...process.env, KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_RUN_OWNER_PID: String(process.pid) },
    });
    const forward = () => {
      log.info("stopping the scenarios; their namespaces are being deleted");
      try {
        process.kill(-child.pid!, "SIGINT");
      } catch {
        // The run already ended.
      }
    };
    signal.addEventListener("abort", forward, { once: true });
    child.on("close", (exitCode) => {
      signal.removeEventListener("abort", forward);
      resolve(exitCode ?? 1);
    });
  });
  log.info(`features finished in ${((performance.now() - started) / 1000).toFixed(1)} s with exit code ${code}`);
  const problems = explainOutcomes(`${reports}/cucumber-messages.ndjson`);
  for (const problem of problems) console.error(`kubequake: ${problem}`);
  await generateAllureReport(reports, log);
  log.info(`reports: ${reports}/cucumber.html, ${reports}/junit/cucumber.xml, ${reports}/allure-report/index.html`);
  return signal.aborted ? 130 : code === 0 && problems.length === 0 ? 0 : 1;
}

/** What a QA engineer must fix that Cucumber reports only in passing: unknown steps, and runs that ran nothing. */
function explainOutcomes(messagesFile: string): string[] {
  if (!existsSync(messagesFile)) return [];
  const outcomes = readScenarioOutcomes(messagesFile);
  if (outcomes.length === 0) {
    return [
      "no scenario ran: the paths, --tags or --name matched nothing. Check them (a nightly run of nothing is a failure).",
    ];
  }
  return outcomes.flatMap((o) =>
    o.undefinedSteps.map(
      (step) =>
        `unknown step at ${o.uri}:${step.line}: "${step.text}" matches no step definition.\n  what to do: pick a phrase from docs/STEPS.md (or \`npx kubequake steps\`); parameters in {braces} there take numbers or "quoted" text.`,
    ),
  );
}

function parseRunArguments(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        tags: { type: "string" },
        parallel: { type: "string" },
        name: { type: "string" },
        "no-cluster-up": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    // Node's parser words it for programmers ("argument is ambiguous"); say what kubequake expects instead.
    throw new UserError(
      `kubequake run: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
      `the options are:\n${help}`,
    );
  }
}
