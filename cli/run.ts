import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadImagesIntoNodes } from "../support/capabilities/demo-image.ts";
import { discoverCapabilities } from "../support/capabilities/discover.ts";
import { type Capabilities, describeCapabilities, describeKnownNeeds } from "../support/capabilities/needs.ts";
import { chaosAllowed, chaosContexts } from "../support/chaos/safety.ts";
import { clusterName, kubeconfigPath } from "../support/cluster/kind.ts";
import { UserError } from "../support/errors/user-error.ts";
import { connectKube } from "../support/kube/client.ts";
import {
  chooseTarget,
  describeTarget,
  type KubeTarget,
  loadTarget,
  targetEnvironment,
} from "../support/kube/kubeconfig.ts";
import { createLogger, type Logger } from "../support/log/logger.ts";
import { runCommand } from "../support/process/command.ts";
import { dockerImageExists } from "../tooling/cluster-build/docker.ts";
import { demoImageName } from "../tooling/cluster-build/stages.ts";
import { demoImageAlias } from "../tooling/cluster-build/toolchain.ts";
import { loadVersions } from "../tooling/cluster-build/versions.ts";
import { generateAllureReport } from "../tooling/reports/allure.ts";
import { kubequakeVersion, reportEnvironment, writeAllureEnvironment } from "../tooling/reports/environment.ts";
import { lockReports } from "../tooling/reports/lock.ts";
import { flakyOutcomes, readScenarioOutcomes } from "../tooling/reports/messages.ts";
import { annotateSkips, readSkipReasons } from "../tooling/reports/skips.ts";
import { durationOf, readDurations, recordDurations } from "../tooling/sharding/durations.ts";
import { listScenarios } from "../tooling/sharding/list.ts";
import { parseShard, partition, shardTotals } from "../tooling/sharding/partition.ts";
import { readScenarios } from "../tooling/sharding/scenarios.ts";
import { parseOptions } from "./options.ts";
import { preflight } from "./preflight.ts";

const help = `kubequake run [paths…] [--tags EXPR] [--parallel N] [--name REGEX] [--no-cluster-up]
              [--kubeconfig FILE] [--context NAME] [--demo-image REF] [--shard I/N] [--durations FILE]

Ensures the kind cluster (reusing it when healthy), runs the features with cucumber-js and writes reports:
  reports/cucumber.html, reports/junit/cucumber.xml, reports/allure-results/, reports/allure-report/index.html
  (KUBEQUAKE_REPORTS=DIR writes them under DIR instead)
Default paths: features/. Default parallel: 2 workers (scenarios tagged @serial run alone).

Which cluster, by kubectl's rules: --kubeconfig FILE, else the files of KUBECONFIG (colon-separated, merged),
else kubequake's own kind cluster (~/.kube/kubequake.config); --context NAME picks a context in memory (nobody's
current-context is changed). The first line of the run says which file and context it uses, and why.
  On kubequake's kind cluster (context kind-kubequake) the run builds and starts what is missing (cluster up).
  On any other context it builds and creates nothing: it loads the demo image into nodes that are Docker
  containers here (kind clusters), or uses --demo-image REF on clusters that pull images. Scenarios tagged
  ${describeKnownNeeds()} that the cluster cannot host are reported
  "skipped: why". Chaos runs only on contexts listed in KUBEQUAKE_CHAOS_CONTEXTS.
--proxy-mode iptables|nftables  kube-proxy's mode of kubequake's own cluster: each mode is its own kind cluster
                ("kubequake", "kubequake-nftables"); node names in features (kubequake-worker) mean that cluster's
                nodes. \`kubequake matrix\` runs the same scenarios on every mode and compares them.
--shard I/N     run the I-th of N deterministic slices, balanced by the durations recorded in --durations FILE
                (default <reports>/durations.json); the N shards together run exactly the scenarios of the
                unsharded run, as long as every shard reads the same durations file. Each run records its
                scenarios' durations in <reports>/durations.json; \`kubequake report merge\` merges the shards'
                reports and their durations for the next split.
Before the cluster is touched, the selected scenarios are linted (the checks of \`kubequake lint\`): any error
refuses the run with exit code 2. There is no switch to skip it: each such error would fail its scenario anyway.
Exit code: 0 when every scenario passed or was skipped for a missing need, 1 otherwise, 2 when lint or the options
refused the run before it started, 130 when interrupted.`;

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
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && !shard)
    throw new UserError(
      `--shard expects I/N with 1 ≤ I ≤ N (whole numbers), saw "${values.shard}"`,
      "e.g. --shard 1/4 … --shard 4/4 on four runners; together they run every scenario once.",
    );
  const log = createLogger("run");
  const checkStarted = performance.now();
  const { scenarios, lintSeconds } = await preflight({ paths: positionals, tags: values.tags, name: values.name });
  log.info(
    `${scenarios} scenario(s) found, every step defined, no lint error (checked in ${((performance.now() - checkStarted) / 1000).toFixed(1)} s, lint ${lintSeconds.toFixed(1)} s of it)`,
  );
  const reports = process.env.KUBEQUAKE_REPORTS ?? "reports";
  const durationsFile = values.durations ?? `${reports}/durations.json`;
  const selection = { paths: positionals, tags: values.tags, name: values.name };
  let paths: readonly string[] = positionals;
  if (shard) {
    const listed = await listScenarios(selection);
    const durations = readDurations(durationsFile);
    const items = listed.map((s) => ({ key: s.key, seconds: durationOf(durations, s) }));
    const shards = partition(items, shard.count);
    const mine = shards[shard.index - 1] ?? [];
    const totals = shardTotals(shards, items).map((t) => t.toFixed(0));
    const recorded = items.filter((i) => i.seconds !== undefined).length;
    log.info(
      `shard ${shard.index}/${shard.count}: ${mine.length} of ${listed.length} scenario(s); shard totals ${totals.join(" / ")} s by ${recorded} recorded duration(s) in ${durationsFile}${recorded < items.length ? ` (${items.length - recorded} unrecorded, counted as the median)` : ""}`,
    );
    if (mine.length === 0) {
      // An empty report, so that `report merge` of all N shards' directories works, with nothing stale in it.
      for (const stale of ["allure-results", "cucumber-messages.ndjson", "junit/cucumber.xml"])
        rmSync(`${reports}/${stale}`, { recursive: true, force: true });
      mkdirSync(reports, { recursive: true });
      writeFileSync(`${reports}/cucumber-messages.ndjson`, "");
      log.info(
        `shard ${shard.index}/${shard.count} has no scenario (more shards than scenarios); nothing to run, an empty report written`,
      );
      return 0;
    }
    paths = mine;
  }
  const cluster = await prepareCluster(
    { kubeconfig: values.kubeconfig, context: values.context, demoImage: values["demo-image"] },
    { clusterUp: !values["no-cluster-up"], selection, signal },
    log,
  );
  const releaseReports = await lockReports(reports, log, signal);
  try {
    return await runFeatures(
      // Recorded next to the run's reports, never into a file other shards may still be reading.
      {
        reports,
        parallel,
        tags: values.tags,
        name: values.name,
        paths,
        env: cluster.env,
        durationsFile: `${reports}/durations.json`,
      },
      log,
      signal,
    );
  } finally {
    releaseReports();
  }
}

/**
 * Chooses the cluster by kubectl's rules and says so in one line; ensures kubequake's own kind cluster, or, on
 * any other context, checks it answers, discovers what it offers, provides the demo image and refuses chaos the
 * context does not allow. Returns the environment that hands all of it to cucumber's workers.
 */
async function prepareCluster(
  flags: { kubeconfig?: string; context?: string; demoImage?: string },
  options: {
    clusterUp: boolean;
    selection: { paths: readonly string[]; tags?: string; name?: string };
    signal: AbortSignal;
  },
  log: Logger,
): Promise<{ env: Record<string, string> }> {
  const choice = chooseTarget({
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    env: process.env,
    defaultKubeconfig: kubeconfigPath,
  });
  // Without --kubeconfig and KUBECONFIG it is kubequake's own cluster, whose kubeconfig `cluster up` writes: on a
  // fresh machine there is none to read yet.
  const chosen =
    choice.filesFrom === "kubequake" && (!choice.context || choice.context === `kind-${clusterName}`)
      ? { ...choice, context: `kind-${clusterName}` }
      : loadTarget(choice).target;
  const ownCluster = chosen.context === `kind-${clusterName}`;
  log.info(describeTarget(chosen, ownCluster));
  let target: KubeTarget = chosen;
  if (ownCluster) {
    // Its kubeconfig is the one `cluster up` rewrites, so it is never stale, whichever file named the context.
    target = { files: [kubeconfigPath], filesFrom: "kubequake", context: chosen.context, contextFrom: "--context" };
    if (chosen.files.join() !== kubeconfigPath)
      log.info(
        `cluster: "${chosen.context}" is kubequake's own kind cluster; the run uses its kubeconfig ${kubeconfigPath}`,
      );
    if (options.clusterUp) {
      const { clusterUp } = await import("../tooling/cluster-build/toolchain.ts");
      await clusterUp({ signal: options.signal }, createLogger("cluster"));
    }
  }
  const kube = await connectKube(target);
  const capabilities = await discoverCapabilities(kube, ownCluster).catch((error: unknown) => {
    throw new UserError(
      `the cluster of context "${target.context}" does not answer: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
      `check it with \`kubectl --context ${target.context} get nodes\` (and your credentials), then run again.`,
    );
  });
  log.info(`cluster: ${describeCapabilities(capabilities)}`);
  const env: Record<string, string> = {
    ...targetEnvironment(target),
    KUBEQUAKE_CAPABILITIES: JSON.stringify(capabilities),
  };
  if (ownCluster) return { env };
  if (!chaosAllowed(target.context)) {
    const chaos = (await listScenarios(options.selection)).filter((s) => s.tags.includes("@chaos"));
    if (chaos.length > 0)
      throw new UserError(
        `${chaos.length} selected scenario(s) are tagged @chaos (e.g. ${chaos[0]!.key}), and the context "${target.context}" is not one kubequake may break (allowed: ${chaosContexts().join(", ")})`,
        `leave them out with --tags "not @chaos", or, if "${target.context}" is disposable, set KUBEQUAKE_CHAOS_CONTEXTS=${target.context}.`,
      );
  }
  env.KUBEQUAKE_DEMO_IMAGE = await provideDemoImage(flags.demoImage, capabilities, log);
  return { env };
}

/** The demo image for an existing cluster: the reference given (the cluster pulls it), or loaded from Docker here. */
async function provideDemoImage(
  reference: string | undefined,
  capabilities: Capabilities,
  log: Logger,
): Promise<string> {
  if (reference) {
    log.info(`demo image: ${reference} (--demo-image; the cluster pulls it, pull policy IfNotPresent)`);
    return reference;
  }
  const image = demoImageName(loadVersions());
  if (!capabilities.nodesReachable.available)
    throw new UserError(
      `the demo image cannot be loaded into the nodes of "${capabilities.context}": ${capabilities.nodesReachable.why}`,
      `push the demo image to a registry the cluster pulls from (it is ${image} here: \`docker tag ${image} REGISTRY/kubequake-demo:TAG && docker push …\`) and pass --demo-image REGISTRY/kubequake-demo:TAG.`,
    );
  if (!(await dockerImageExists(image)))
    throw new UserError(
      `the demo image ${image} is not in this machine's Docker, so it cannot be loaded into the nodes of "${capabilities.context}"`,
      "build it once with `npx kubequake cluster up` (it builds the demo image with the rest), or pass --demo-image REF of an image the cluster pulls.",
    );
  const images = (await dockerImageExists(demoImageAlias)) ? [image, demoImageAlias] : [image];
  for (const line of await loadImagesIntoNodes(images, capabilities.nodeNames)) log.info(`demo image: ${line}`);
  return image;
}

async function runFeatures(
  options: {
    reports: string;
    parallel: string;
    tags?: string;
    name?: string;
    paths: readonly string[];
    env: Record<string, string>;
    durationsFile: string;
  },
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
      env: { ...process.env, ...options.env, KUBEQUAKE_RUN_ID: runId, KUBEQUAKE_RUN_OWNER_PID: String(process.pid) },
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
  const messages = `${reports}/cucumber-messages.ndjson`;
  const problems = explainOutcomes(messages);
  for (const problem of problems) console.error(`kubequake: ${problem}`);
  if (existsSync(messages)) {
    for (const flaky of flakyOutcomes(readScenarioOutcomes(messages))) {
      log.info(
        `flaky: "${flaky.name}" (${flaky.uri}) passed on attempt ${flaky.attempt + 1} after failing (tagged @flaky)`,
      );
    }
    const skips = readSkipReasons(messages);
    for (const skip of skips) log.info(`${skip.key} "${skip.name}" ${skip.why}`);
    annotateSkips(reports, skips);
    // Aborted runs' timings would mislead the next shard split.
    if (!signal.aborted) recordDurations(options.durationsFile, readScenarios(messages));
  }
  await describeEnvironment(`${reports}/allure-results`, options.env);
  await generateAllureReport(reports, log);
  log.info(`reports: ${reports}/cucumber.html, ${reports}/junit/cucumber.xml, ${reports}/allure-report/index.html`);
  return signal.aborted ? 130 : code === 0 && problems.length === 0 ? 0 : 1;
}

/** The Allure report's Environment: the cluster and versions this run used. */
async function describeEnvironment(resultsDir: string, env: Record<string, string>): Promise<void> {
  if (!env.KUBEQUAKE_CAPABILITIES) return;
  const commit = await runCommand("git", ["rev-parse", "--short", "HEAD"], { timeoutMs: 10_000, allowFailure: true })
    .then((r) => (r.exitCode === 0 ? r.stdout.trim() : undefined))
    .catch(() => undefined);
  writeAllureEnvironment(
    resultsDir,
    reportEnvironment(JSON.parse(env.KUBEQUAKE_CAPABILITIES) as Capabilities, {
      kubequake: kubequakeVersion(".", commit),
      demoImage: env.KUBEQUAKE_DEMO_IMAGE ?? demoImageName(loadVersions()),
    }),
  );
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
  return parseOptions("run", argv, {
    allowPositionals: true,
    options: {
      tags: { type: "string" },
      parallel: { type: "string" },
      name: { type: "string" },
      "no-cluster-up": { type: "boolean" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      "demo-image": { type: "string" },
      shard: { type: "string" },
      durations: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
