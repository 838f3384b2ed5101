// `npm run bench -- --soak N [--paths P]… [--parallel W] [--minutes M]`: runs the feature suite (`kubequake run`,
// features/ by default) N times in a row and prints a tally: runs, scenarios, failures, and which scenarios failed.
// Every failed scenario is run once more on its own: one that passes then is a false failure (the harness or the
// machine, not the behaviour under test), one that fails again is a real failure. Each run writes its reports to
// reports/soak/run-I. With --minutes, no run starts that would likely end after the budget (judged by the mean run so
// far; the reruns of failed scenarios, a minute or so each, come on top). Ctrl-C (or SIGTERM, SIGHUP) lets the run
// under way clean up, then prints the tally of the runs that finished.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { UserError } from "../support/errors/user-error.ts";
import { flakyOutcomes, readScenarioOutcomes, type ScenarioOutcome } from "../tooling/reports/messages.ts";

export interface SoakOptions {
  runs: number;
  paths: string[];
  parallel?: number;
  /** A time budget: no run starts that would likely end after it. */
  minutes?: number;
}

/** Reads `--soak N`, `--paths P` (repeatable) and `--parallel W`. */
export function soakOptions(argv: readonly string[]): SoakOptions {
  const example =
    "e.g. `npm run bench -- --soak 2` (the full suite twice), `npm run bench -- --soak 20 --minutes 120` or `npm run bench -- --soak 1 --paths features/routing`.";
  let values: { soak?: string; paths?: string[]; parallel?: string; minutes?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        soak: { type: "string" },
        paths: { type: "string", multiple: true },
        parallel: { type: "string" },
        minutes: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UserError(`--soak: ${error instanceof Error ? error.message : String(error)}`, example);
  }
  const runs = Number(values.soak);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new UserError(`--soak expects a whole number of runs from 1 to 100, saw "${values.soak ?? ""}"`, example);
  }
  const options: SoakOptions = { runs, paths: values.paths ?? [] };
  if (values.parallel !== undefined) options.parallel = Number(values.parallel);
  if (values.minutes !== undefined) {
    const minutes = Number(values.minutes);
    if (!Number.isFinite(minutes) || minutes <= 0) {
      throw new UserError(`--minutes expects a time budget in minutes above 0, saw "${values.minutes}"`, example);
    }
    options.minutes = minutes;
  }
  return options;
}

interface Tried {
  run: number;
  outcome: ScenarioOutcome;
}

/** Runs the soak and prints its tally; returns the exit code (0 only when no scenario failed). */
export async function soak(options: SoakOptions): Promise<number> {
  const what = options.paths.length > 0 ? options.paths.join(" ") : "features/";
  const budget = options.minutes === undefined ? "" : `, within ${options.minutes} minute(s)`;
  console.log(`soak: ${options.runs} run(s) of ${what}${budget}`);
  const all: Tried[] = [];
  const failed: Tried[] = [];
  const passedOnRetry: Tried[] = [];
  const started = performance.now();
  const interruption = watchForInterruption();
  let runsDone = 0;
  let endedEarly = "";
  for (let run = 1; run <= options.runs; run += 1) {
    const elapsedSeconds = (performance.now() - started) / 1000;
    const why = reasonToStopBefore(run, elapsedSeconds, options.minutes);
    if (why !== undefined) {
      endedEarly = why;
      break;
    }
    const reports = join("reports", "soak", `run-${run}`);
    const args = [...options.paths];
    if (run > 1) args.push("--no-cluster-up"); // the first run brought the cluster up (or found it healthy)
    if (options.parallel !== undefined) args.push("--parallel", String(options.parallel));
    const result = await kubequakeRun(args, reports, interruption);
    if (interruption.signal !== undefined) {
      endedEarly = `stopped by ${interruption.signal} during run ${run}; that run is left out of the tally`;
      break;
    }
    runsDone = run;
    const outcomes = readOutcomes(reports);
    for (const outcome of outcomes) all.push({ run, outcome });
    const bad = outcomes.filter((o) => o.status !== "PASSED" && o.status !== "SKIPPED");
    failed.push(...bad.map((outcome) => ({ run, outcome })));
    const skipped = outcomes.filter((o) => o.status === "SKIPPED").length;
    // A scenario tagged @flaky that passed only on its retry is a false failure the retry hid: counted, not forgiven.
    const retried = flakyOutcomes(outcomes);
    passedOnRetry.push(...retried.map((outcome) => ({ run, outcome })));
    console.log(
      `run ${run}: ${outcomes.length} scenario(s), ${outcomes.length - bad.length - skipped} passed, ${bad.length} failed, ${skipped} skipped in ${result.seconds.toFixed(1)} s (exit ${result.code}; reports in ${reports})`,
    );
    if (outcomes.length === 0) {
      console.log(`run ${run} produced no scenario outcomes; its last output:\n${result.tail}`);
      failed.push({
        run,
        outcome: {
          name: "(the whole run)",
          uri: what,
          status: "FAILED",
          message: result.tail,
          undefinedSteps: [],
          attempt: 0,
        },
      });
    }
    for (const outcome of bad)
      console.log(`  failed: ${outcome.uri}: "${outcome.name}": ${firstLine(outcome.message)}`);
    for (const outcome of retried)
      console.log(`  passed only on its retry (@flaky): ${outcome.uri}: "${outcome.name}"`);
    const retriedSoFar = passedOnRetry.length > 0 ? `, ${passedOnRetry.length} passed only on a retry` : "";
    const falseOrReal = `${failed.length === 0 ? "none failed" : `${failed.length} failed (judged at the end)`}${retriedSoFar}`;
    console.log(`  so far: ${run} run(s), ${all.length} scenario run(s), ${falseOrReal}`);
  }
  if (endedEarly !== "") console.log(`soak ended early: ${endedEarly}`);

  // Each scenario that failed, run once more on its own: false failure or real one.
  const verdicts: string[] = [];
  let falseFailures = 0;
  let realFailures = 0;
  for (const [index, { run, outcome }] of failed.entries()) {
    let verdict = "not rerun";
    if (outcome.name !== "(the whole run)" && interruption.signal === undefined) {
      const reports = join("reports", "soak", `rerun-${index + 1}`);
      await kubequakeRun(
        [outcome.uri, "--name", `^${escapeRegExp(outcome.name)}$`, "--no-cluster-up"],
        reports,
        interruption,
      );
      if (interruption.signal !== undefined) {
        verdicts.push(`  run ${run}: ${outcome.uri}: "${outcome.name}": not judged, the rerun was interrupted`);
        break;
      }
      const again = readOutcomes(reports);
      const passed = again.length > 0 && again.every((o) => o.status === "PASSED");
      if (passed) falseFailures += 1;
      else realFailures += 1;
      verdict = passed ? "passed on rerun: a FALSE failure" : "failed again on rerun: a real failure";
    }
    verdicts.push(
      `  run ${run}: ${outcome.uri}: "${outcome.name}" ${outcome.status.toLowerCase()}: ${firstLine(outcome.message)}\n    ${verdict}`,
    );
  }
  const scenarios = new Set(all.map(({ outcome }) => `${outcome.uri}\u0000${outcome.name}`)).size;
  const count = (status: string) => all.filter(({ outcome }) => outcome.status === status).length;
  const notRerun = failed.length - falseFailures - realFailures;
  console.log(
    `\nsoak tally: ${runsDone} of ${options.runs} run(s), ${scenarios} distinct scenario(s), ${all.length} scenario run(s): ` +
      `${count("PASSED")} passed (${passedOnRetry.length} only on a @flaky retry, a false failure hidden), ${failed.length} failed (${falseFailures} false failure(s): passed on rerun; ` +
      `${realFailures} failed again${notRerun > 0 ? `; ${notRerun} not rerun${interruption.signal ? ", the soak was interrupted" : ": runs without outcomes"}` : ""}), ` +
      `${count("SKIPPED")} skipped, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (verdicts.length > 0) console.log(`failed scenarios:\n${verdicts.join("\n")}`);
  interruption.dispose();
  if (interruption.signal !== undefined) return 130;
  return failed.length === 0 && passedOnRetry.length === 0 ? 0 : 1;
}

/**
 * Why run `run` should not start, or undefined: with a budget, a run that would likely end after it (the mean run so
 * far, from `elapsedSeconds` over the runs before this one) is not started. The first run always starts.
 */
export function reasonToStopBefore(
  run: number,
  elapsedSeconds: number,
  minutes: number | undefined,
): string | undefined {
  if (minutes === undefined || run === 1) return undefined;
  const meanRunSeconds = elapsedSeconds / (run - 1);
  const budgetSeconds = minutes * 60;
  if (elapsedSeconds + meanRunSeconds <= budgetSeconds) return undefined;
  return `run ${run} would likely end at ${formatMinutes(elapsedSeconds + meanRunSeconds)} (a run takes ${formatMinutes(meanRunSeconds)} on average), past the ${minutes}-minute budget; ${run - 1} run(s) done`;
}

function formatMinutes(seconds: number): string {
  return `${(seconds / 60).toFixed(1)} min`;
}

interface Interruption {
  /** The signal that asked the soak to stop, once one has. */
  signal?: NodeJS.Signals;
  /** The `kubequake run` under way, which gets the signal so that it cleans up its scenarios. */
  child?: ChildProcess;
  dispose(): void;
}

const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ctrl-C, SIGTERM or SIGHUP: passed on to the run under way (it cleans up and ends), and no further run starts. One
 * Ctrl-C under `npm run` arrives twice (from the terminal and from npm) and `kubequake run` takes a second signal as
 * "quit at once", so a repeat within a second is dropped; a later one is passed on. If the soak itself ends, so does
 * its run (the run has its own process group and would otherwise go on alone).
 */
function watchForInterruption(): Interruption {
  let lastForwardedAt = Number.NEGATIVE_INFINITY;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruption.signal === undefined) {
      console.log(
        `\nsoak: ${signal}; the run under way cleans up, then the tally of the finished runs (Ctrl-C again to quit at once)`,
      );
    }
    interruption.signal ??= signal;
    if (performance.now() - lastForwardedAt < 1000) return;
    lastForwardedAt = performance.now();
    interruption.child?.kill(signal);
  };
  const onExit = () => {
    if (interruption.child?.exitCode === null) interruption.child.kill("SIGTERM");
  };
  const interruption: Interruption = {
    dispose: () => {
      for (const signal of stopSignals) process.off(signal, onSignal);
      process.off("exit", onExit);
    },
  };
  for (const signal of stopSignals) process.on(signal, onSignal);
  process.on("exit", onExit);
  return interruption;
}

function readOutcomes(reports: string): ScenarioOutcome[] {
  const file = join(reports, "cucumber-messages.ndjson");
  return existsSync(file) ? readScenarioOutcomes(file) : [];
}

/** One `kubequake run` with its reports in `reports`; its output goes to reports/…/run.log's tail only on failure. */
function kubequakeRun(
  args: readonly string[],
  reports: string,
  interruption: Interruption,
): Promise<{ code: number; seconds: number; tail: string }> {
  rmSync(reports, { recursive: true, force: true });
  const started = performance.now();
  return new Promise((resolve) => {
    // Its own process group, so a terminal's Ctrl-C reaches it once, through the soak (watchForInterruption).
    const child = spawn(process.execPath, ["bin/kubequake.js", "run", ...args], {
      env: { ...process.env, KUBEQUAKE_REPORTS: reports },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    interruption.child = child;
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        seconds: (performance.now() - started) / 1000,
        tail: output.split("\n").slice(-15).join("\n"),
      }),
    );
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
