import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { kubeconfigPath, listNodeContainers } from "../../support/cluster/kind.ts";
import { UserError } from "../../support/errors/user-error.ts";
import type { Logger } from "../../support/log/logger.ts";
import { buildStages, type StageOutcome } from "../cluster-build/build.ts";
import { resolveStages } from "../cluster-build/stages.ts";
import { loadVersions } from "../cluster-build/versions.ts";
import { ensureImagesOnNodes } from "./images.ts";
import { type ConformanceTestResult, parseJUnit, writeJUnitSummary } from "./junit.ts";
import { sweepE2ELeftovers } from "./leftovers.ts";
import { schedulableNodeCount } from "./nodes.ts";
import { GinkgoProgressReader, type ProgressEvent } from "./progress.ts";
import type { TestSelection } from "./selections.ts";

export interface ConformanceOptions {
  readonly selection: TestSelection;
  /** Where e2e.test writes its JUnit report (`junit_01.xml`) and where its full output goes (`e2e.log`). */
  readonly reportsDir: string;
  /** Also write a JUnit file with only the tests that ran here (for CI's reports/junit/). */
  readonly summaryJUnitPath?: string;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Ginkgo processes running specs side by side (the ginkgo CLI's --procs); 1 runs e2e.test directly. Specs not
   * marked [Serial] are written to run in parallel, and many of them spend most of their time waiting.
   */
  readonly procs?: number;
  /** Ginkgo's limit for the whole run; the JUnit report is still written when it is reached. Minutes. */
  readonly timeoutMinutes?: number;
}

/** What one run of e2e.test did. */
export interface ConformanceRun {
  readonly selection: TestSelection;
  readonly results: readonly ConformanceTestResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Tests the selection should hold that the report does not list (a crashed or cut-short run). */
  readonly missing: number;
  readonly stages: readonly StageOutcome[];
  readonly buildSeconds: number;
  readonly runSeconds: number;
  readonly junitPath: string;
  readonly logPath: string;
  readonly exitCode: number;
}

/**
 * Runs Kubernetes' own e2e tests of `selection` against the kubequake cluster: builds e2e.test and its image if they
 * are not cached, loads the image into every node, runs e2e.test with the skeleton provider (no cloud), and reads
 * its JUnit report. The cluster must be up. Rejects with a {@link UserError} when there is nothing to judge (no
 * cluster, a build failure, no report); failed tests are in the result, not thrown.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const { selection, log } = options;
  const versions = loadVersions();
  const buildStarted = performance.now();
  const stages = await buildStages(versions, log.child("build"), ["e2e-images"]);
  const resolved = resolveStages(versions, { includeOnDemand: true });
  const tools = resolved.get("e2e-tests")!.entry.path;
  const imageStage = resolved.get("e2e-images")!;
  const imageNames = readFileSync(join(imageStage.entry.path, "images.txt"), "utf8").split("\n").filter(Boolean);

  const nodes = (await listNodeContainers()).filter((node) => node.state === "running").map((node) => node.name);
  if (nodes.length === 0) {
    throw new UserError(
      "no running node of the kubequake cluster: the conformance tests need a cluster to test.",
      "run `npx kubequake cluster up` (or `kubequake conformance` without --no-cluster-up).",
    );
  }
  await ensureImagesOnNodes(imageStage.image!, imageNames, nodes, log);
  // Housekeeping: a sweep that fails is said, and the tests run anyway.
  await sweepE2ELeftovers(kubeconfigPath).then(
    (swept) => {
      if (swept.length > 0)
        log.info(
          `removed ${swept.length} namespace(s) that an interrupted e2e.test run left: ${summarizeNames(swept)}`,
        );
    },
    (error: unknown) =>
      log.warn(
        `could not remove namespaces left by interrupted e2e.test runs: ${error instanceof Error ? error.message : error}`,
      ),
  );
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  const reportsDir = resolve(options.reportsDir);
  mkdirSync(reportsDir, { recursive: true });
  const junitPath = join(reportsDir, "junit_01.xml");
  const logPath = join(reportsDir, "e2e.log");
  rmSync(junitPath, { force: true });
  const e2eArgs = [
    "--provider=skeleton",
    `--kubeconfig=${kubeconfigPath}`,
    `--kubectl-path=${join(tools, "kubectl")}`,
    `--kube-test-repo-list=${join(imageStage.entry.path, "repo-list.yaml")}`,
    `--report-dir=${reportsDir}`,
    `--num-nodes=${await schedulableNodeCount(kubeconfigPath)}`,
  ];
  const ginkgoArgs = [
    `--focus=${selection.focus}`,
    ...(selection.skip ? [`--skip=${selection.skip}`] : []),
    `--timeout=${options.timeoutMinutes ?? 60}m`,
    "--v",
    "--no-color",
  ];
  const procs = options.procs ?? 1;
  // e2e.test takes Ginkgo's flags with a "ginkgo." prefix; the ginkgo CLI takes them plain, and e2e.test's after "--".
  const [program, args] =
    procs > 1
      ? [join(tools, "ginkgo"), [`--procs=${procs}`, ...ginkgoArgs, join(tools, "e2e.test"), "--", ...e2eArgs]]
      : [join(tools, "e2e.test"), [...e2eArgs, ...ginkgoArgs.map((flag) => flag.replace(/^--/, "--ginkgo."))]];
  log.info(
    `running e2e.test: ${selection.description}${procs > 1 ? `, ${procs} specs at a time` : ""} (full output: ${logPath})`,
  );
  const runStarted = performance.now();
  const exitCode = await runE2E(program, args, reportsDir, logPath, options);
  const runSeconds = (performance.now() - runStarted) / 1000;
  options.signal?.throwIfAborted();
  if (!existsSync(junitPath)) {
    throw new UserError(
      `e2e.test exited with ${exitCode} and wrote no JUnit report (${junitPath}); no test result can be read.`,
      `read the end of ${logPath} for why it stopped (a flag it rejects, a cluster it cannot reach).`,
    );
  }
  const results = parseJUnit(readFileSync(junitPath, "utf8"));
  if (options.summaryJUnitPath) {
    writeJUnitSummary(results, `Kubernetes e2e: ${selection.description}`, logPath, options.summaryJUnitPath);
  }
  const count = (status: ConformanceTestResult["status"]) => results.filter((r) => r.status === status).length;
  const ran = results.filter((r) => r.name.startsWith("[sig-")).length;
  return {
    selection,
    results,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    missing: Math.max(0, (selection.expectedTests ?? 0) - ran),
    stages,
    buildSeconds,
    runSeconds,
    junitPath,
    logPath,
    exitCode,
  };
}

/** Runs e2e.test in its own process group (so an abort stops it and its children), its output to `logPath`. */
function runE2E(
  program: string,
  args: readonly string[],
  cwd: string,
  logPath: string,
  options: ConformanceOptions,
): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const output = createWriteStream(logPath);
    const progress = new GinkgoProgressReader();
    const child = spawn(program, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const onData = (chunk: Buffer) => {
      output.write(chunk);
      for (const event of progress.read(chunk.toString())) options.onProgress?.(event);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => output.write(chunk));
    const stop = () => {
      try {
        // SIGINT lets Ginkgo run its cleanup (namespaces) and write the report before it exits.
        process.kill(-child.pid!, "SIGINT");
      } catch {
        // Already gone.
      }
    };
    options.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", stop);
      output.end();
      reject(new UserError(`e2e.test could not start: ${error.message}`, `check that ${program} exists and runs.`));
    });
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", stop);
      output.end();
      resolvePromise(code ?? 1);
    });
  });
}

/** A long list of names as its first few and a count, so one line stays readable. */
function summarizeNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
