import { isMainThread } from "node:worker_threads";
import {
  After,
  AfterAll,
  AfterStep,
  Before,
  BeforeAll,
  BeforeStep,
  Status,
  setDefaultTimeout,
  setParallelCanAssign,
} from "@cucumber/cucumber";
import { discoverCapabilities, probeLoadBalancer } from "./capabilities/discover.ts";
import {
  type Capabilities,
  describeKnownNeeds,
  missingNeeds,
  needsLoadBalancer,
  skipAttachment,
  unknownNeeds,
} from "./capabilities/needs.ts";
import { attachTrafficEvidence } from "./chaos/attachments.ts";
import { reportBreach } from "./chaos/breach.ts";
import { releaseChaosLeaseOfRun } from "./chaos/chaos-lease.ts";
import { steadyTrafficRunning, stopSteadyTraffic } from "./chaos/steady-traffic.ts";
import { readNodeContainers } from "./chaos/targets.ts";
import { faultOfCluster, undoOutstandingFaults } from "./cluster/fault-ledger.ts";
import { healthProblem, readClusterHealth } from "./cluster/health.ts";
import { clusterName, kubeconfigPath } from "./cluster/kind.ts";
import { collectDiagnostics, formatDiagnostics } from "./diagnostics/collect.ts";
import { UserError } from "./errors/user-error.ts";
import { connectKube, type Kube } from "./kube/client.ts";
import { loadTarget, targetFromEnvironment } from "./kube/kubeconfig.ts";
import { deleteNamespacesOwnedBy, runOwnerPid, sweepLeftoverNamespaces } from "./kube/namespace.ts";
import { clusterNetworks } from "./kube/networks.ts";
import { removeOutsideContainers } from "./outside/containers.ts";
import { processAlive } from "./process/liveness.ts";
import { type DemoWorkload, ScenarioContext } from "./scenario/context.ts";
import { canStartInParallel } from "./scheduling/serial.ts";
import type { KubequakeWorld } from "./world.ts";

// Steps wait explicitly ("within N seconds"); this only stops a step that hangs beyond any stated wait.
setDefaultTimeout(240_000);

const runId = process.env.KUBEQUAKE_RUN_ID ?? Date.now().toString(36);
const worker = process.env.CUCUMBER_WORKER_ID ?? "0";
const active = new Set<ScenarioContext>();
let kube: Kube;
let workload: DemoWorkload;
let capabilities: Capabilities;
let loadBalancerProbe: Promise<Capabilities> | undefined;
// The cluster `kubequake run` chose by kubectl's rules (--kubeconfig, --context, KUBECONFIG), or else kubequake's own.
const target = targetFromEnvironment(kubeconfigPath);

// Scenarios tagged @serial run alone: nothing else starts while one runs, and it waits for the others.
setParallelCanAssign(canStartInParallel);

BeforeAll(async () => {
  const ownCluster = loadTarget(target).target.context === `kind-${clusterName}`;
  if (ownCluster) {
    const problem = healthProblem(await readClusterHealth(kubeconfigPath), 3);
    if (problem) {
      throw new UserError(
        `no healthy kubequake cluster to run scenarios on (kubeconfig ${kubeconfigPath}): ${problem}.`,
        "run `npx kubequake cluster up` (or `npx kubequake run`, which does it for you), then run the features again.",
      );
    }
  }
  kube = await connectKube(target);
  // A cluster that pulls its images gets the demo image by the reference given with --demo-image.
  // Set by `kubequake run`, or by cucumber.js from the pinned versions when cucumber-js runs the features itself.
  const image = process.env.KUBEQUAKE_DEMO_IMAGE;
  if (!image)
    throw new UserError(
      "no demo image is named (KUBEQUAKE_DEMO_IMAGE is empty)",
      "run the features with `npx kubequake run`, or with `npx cucumber-js`, whose cucumber.js names kubequake's own.",
    );
  workload = { image, allowedNetworks: await clusterNetworks(kube) };
  capabilities = process.env.KUBEQUAKE_CAPABILITIES
    ? (JSON.parse(process.env.KUBEQUAKE_CAPABILITIES) as Capabilities)
    : await discoverCapabilities(kube, ownCluster);
  if (worker === "0") {
    // Faults a crashed or killed run left behind (a stopped node, kube-proxy removed) on THIS cluster are undone before
    // anything runs; another cluster's are left to runs on it. A cluster whose nodes are not kind containers here
    // cannot have any.
    const cluster = await readNodeContainers(kube).then(
      (found) => found.cluster,
      () => undefined,
    );
    const leftovers = await undoOutstandingFaults(
      (entry) => cluster !== undefined && faultOfCluster(entry, cluster) && !processAlive(entry.ownerPid),
    );
    if (leftovers.undone.length > 0)
      console.error(
        `[kubequake] undid ${leftovers.undone.length} fault(s) left by interrupted runs: ${leftovers.undone.map((e) => e.description).join("; ")}`,
      );
    if (leftovers.failed.length > 0)
      throw new AggregateError(leftovers.failed, "faults left by earlier runs could not be undone");
    // Without Docker on this machine there are no outside containers to sweep.
    const containers = await removeOutsideContainers((pid) => !processAlive(pid)).catch(() => []);
    if (containers.length > 0)
      console.error(`[kubequake] removed ${containers.length} outside container(s) left by interrupted runs`);
    const swept = await sweepLeftoverNamespaces(kube, runId);
    if (swept.length > 0)
      console.error(`[kubequake] removed ${swept.length} namespace(s) left by interrupted runs: ${swept.join(", ")}`);
  }
});

// Scenarios that need what this cluster lacks are skipped, saying why (in the console and every report), before any
// namespace exists. A later Before hook does not run for a skipped scenario.
Before(async function (this: KubequakeWorld, { pickle }) {
  const tags = pickle.tags.map((tag) => tag.name);
  const unknown = unknownNeeds(tags);
  if (unknown.length > 0)
    throw new UserError(
      `${pickle.uri}: unknown tag(s) ${unknown.join(", ")} on "${pickle.name}"`,
      `use ${describeKnownNeeds()}.`,
    );
  if (needsLoadBalancer(tags) && !capabilities.loadBalancer) {
    // How long a LoadBalancer Service may take to get an address before the cluster counts as offering none.
    const seconds = Number(process.env.KUBEQUAKE_LOADBALANCER_WAIT ?? 30);
    loadBalancerProbe ??= probeLoadBalancer(kube, runId, seconds).then((loadBalancer) => ({
      ...capabilities,
      loadBalancer,
    }));
    capabilities = await loadBalancerProbe;
  }
  const why = missingNeeds(tags, capabilities);
  if (!why) return;
  await this.attach(why, { mediaType: "text/plain", fileName: skipAttachment });
  return "skipped";
});

Before(async function (this: KubequakeWorld, { pickle, testCaseStartedId }) {
  this.scenario = await ScenarioContext.start(
    kube,
    workload,
    {
      run: runId,
      worker: `w${worker}`,
      scenario: pickle.name,
      // Unique per pickle (each Scenario Outline row is one) and per attempt (a retry must not meet the namespace
      // its failed attempt is still deleting).
      key: `${pickle.uri}:${pickle.id}:${testCaseStartedId}`,
    },
    this,
    pickle.tags.map((tag) => tag.name),
  );
  active.add(this.scenario);
});

/** Points `source` at the running step's docstring (its first content line), for errors about inline manifests. */
BeforeStep(function (this: KubequakeWorld, { gherkinDocument, pickle, pickleStep }) {
  const steps = (gherkinDocument.feature?.children ?? []).flatMap((child) => [
    ...(child.background?.steps ?? []),
    ...(child.scenario?.steps ?? []),
    ...(child.rule?.children ?? []).flatMap((r) => [...(r.background?.steps ?? []), ...(r.scenario?.steps ?? [])]),
  ]);
  const step = steps.find((s) => s.id === pickleStep.astNodeIds[0]);
  const line = step?.docString ? step.docString.location.line + 1 : step?.location.line;
  if (this.hasScenario) this.scenario.source = `${pickle.uri}${line ? `:${line}` : ""}`;
});

/**
 * A breach of the error budget while faults are active (support/chaos/breach.ts) fails the step during which the
 * watcher saw it, when that step ends, or the next step when it came between two.
 */
for (const hook of [BeforeStep, AfterStep]) {
  hook(async function (this: KubequakeWorld) {
    if (this.hasScenario) await reportBreach(this.scenario);
  });
}

After(async function (this: KubequakeWorld, { result }) {
  if (!this.hasScenario) return;
  const context = this.scenario;
  // Steady traffic a failed step left running still gets its timeline: it shows what the failure looked like.
  if (steadyTrafficRunning(context)) {
    await stopSteadyTraffic(context, context.title)
      .then((evidence) => attachTrafficEvidence(this, evidence))
      .catch((error: unknown) => this.attachText("traffic-timeline-error.txt", String(error)));
  }
  // Evidence first: cleanup would delete the pods, logs and events that explain the failure.
  if (result?.status === Status.FAILED) {
    await this.attachText("diagnostics.txt", formatDiagnostics(await collectDiagnostics(kube, context.name)));
    await this.attachText("probe-transcript.txt", context.transcript.join("\n") || "no probes were sent");
  }
  active.delete(context);
  await context.cleanup();
});

AfterAll(async () => {
  await Promise.allSettled([...active].map((context) => context.cleanup()));
});

// Ctrl-C / SIGTERM: remove the run's scenario namespaces before exiting, so an interrupted run leaks nothing.
// cucumber-js runs parallel workers as threads and signals reach only the main thread, so the main thread removes
// every namespace this run owns (by the owner PID each namespace is annotated with), whichever thread created it.
// `on`, not `once`: signal-exit (loaded with testcontainers, through proper-lockfile) re-raises a signal at once when
// no other listener is left, which would kill the process before this cleanup ran. A second signal exits at once.
let interrupted = false;
if (isMainThread) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      // Cluster-level faults first (a stopped node, the API server parked): namespaces cannot be deleted without them.
      void undoOutstandingFaults((entry) => entry.ownerPid === runOwnerPid())
        .then(({ undone, failed }) => {
          if (undone.length > 0) console.error(`[kubequake] ${signal}: undid ${undone.length} fault(s)`);
          for (const error of failed) console.error(`[kubequake] ${signal}: ${error.message}`);
        })
        .then(() =>
          removeOutsideContainers((pid) => pid === runOwnerPid()).catch((error) =>
            console.error(`[kubequake] ${signal}: could not remove the run's outside containers: ${error}`),
          ),
        )
        .then(() => connectKube(target))
        .then(async (client) => {
          // The run's faults are undone: another run may break the cluster now.
          await releaseChaosLeaseOfRun(client).catch((error) =>
            console.error(`[kubequake] ${signal}: could not release the run's chaos lease: ${error}`),
          );
          return deleteNamespacesOwnedBy(client, runOwnerPid());
        })
        .then((names) => console.error(`[kubequake] ${signal}: removing ${names.length} scenario namespace(s)`))
        .catch((error) => console.error(`[kubequake] ${signal}: could not remove the run's namespaces: ${error}`))
        .finally(() => process.exit(130));
    });
  }
}
