import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kubeProxyMode } from "../../support/capabilities/discover.ts";
import { faultOfCluster, undoOutstandingFaults } from "../../support/cluster/fault-ledger.ts";
import { healthProblem, readClusterHealth } from "../../support/cluster/health.ts";
import {
  clusterName,
  ipFamily,
  kubeconfigPath,
  listKindClusters,
  listNodeContainers,
  proxyMode,
  workerCount,
} from "../../support/cluster/kind.ts";
import { networkOfCluster } from "../../support/cluster/variant.ts";
import { UserError } from "../../support/errors/user-error.ts";
import { connectKube } from "../../support/kube/client.ts";
import type { Logger } from "../../support/log/logger.ts";
import { CommandError, runCommand } from "../../support/process/command.ts";
import { processAlive } from "../../support/process/liveness.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { buildStages, formatDuration, location, logDir, type StageOutcome, seconds } from "./build.ts";
import { cacheRoot } from "./cache.ts";
import { ensureHermeticDns } from "./coredns.ts";
import { verifyClusterDns } from "./dns-check.ts";
import { dockerAnswers } from "./docker.ts";
import {
  createCluster,
  deleteCluster,
  exportKubeconfig,
  kindConfig,
  loadImage,
  nodeImages,
  removeLeftoverNodeContainers,
} from "./kind-cli.ts";
import { ensureMetallb, metallbStatusLine } from "./metallb.ts";
import {
  ensureKindNetwork,
  installSeal,
  kindNetworkName,
  readKindNetwork,
  readSeal,
  removeDualStackNetwork,
  removeSeal,
  sealTables,
} from "./seal.ts";
import { isStageReady, resolveStages } from "./stages.ts";
import { checkStagingMatches, loadVersions, type PinnedVersions, projectRoot, versionsFile } from "./versions.ts";

const expectedNodes = 1 + workerCount;
const familyNote = { ipv4: "", dual: ", dual-stack IPv4 and IPv6", ipv6: ", IPv6 only" } as const;

export interface UpOptions {
  /** Use this node image (e.g. the official kindest/node on a machine that reaches registries) instead of building. */
  readonly nodeImage?: string;
  /** Refuse to run unless the pinned Kubernetes version is this one. */
  readonly kubernetesVersion?: string;
  /** Delete and create the cluster even if it looks healthy (when something is wrong that no check sees). */
  readonly recreate?: boolean;
  /** Aborting it (Ctrl-C) stops the builds and every phase not yet started, with the signal's reason as the error. */
  readonly signal?: AbortSignal;
}

/** What `cluster up` did, with per-stage durations (for the progress output and the benchmark). */
export interface UpReport {
  readonly stages: StageOutcome[];
  readonly cluster: "reused" | "created" | "recreated";
  readonly clusterSeconds: number;
  readonly nodeImage: string;
  readonly demoImage: string;
  readonly kubeconfig: string;
}

export function pinnedVersions(requested?: string): PinnedVersions {
  const versions = loadVersions();
  checkStagingMatches(versions);
  if (requested && requested !== versions.KUBERNETES_VERSION) {
    throw new UserError(
      `Kubernetes ${requested} is not pinned: ${versionsFile} pins KUBERNETES_VERSION=${versions.KUBERNETES_VERSION}.`,
      `omit --kubernetes-version, or change KUBERNETES_VERSION and KUBERNETES_STAGING_VERSION in ${versionsFile} to a version the Go module proxy serves (go list -m -versions k8s.io/kubernetes) and run again; only what depends on it is rebuilt.`,
    );
  }
  return versions;
}

/** Starts (or installs and starts) the Docker engine through the project's own script. */
export async function ensureEngine(log: Logger): Promise<void> {
  const started = performance.now();
  try {
    await runCommand("bash", [join(projectRoot, "cluster/engine/ensure-docker.sh")], {
      timeoutMs: 10 * 60_000,
      showProgress: true,
    });
  } catch (error) {
    const detail = error instanceof CommandError ? error.result.stderr.trim() : String(error);
    throw new UserError(
      `no usable Docker engine: ${detail}`,
      "follow the hint above, then run `npx kubequake cluster up` again.",
    );
  }
  const engine = await dockerAnswers();
  log.info(`engine      Docker ${engine.version} (runtime ${engine.runtime})  ${seconds(started)}`);
}

/** `cluster up`: engine, builds, and a healthy 3-node cluster with the demo image loaded. Idempotent. */
export async function clusterUp(options: UpOptions, log: Logger): Promise<UpReport> {
  const versions = pinnedVersions(options.kubernetesVersion);
  await ensureEngine(log);
  const resolved = resolveStages(versions);
  const online = options.nodeImage !== undefined;
  // Ctrl-C (options.signal) stops the builds at once and every later phase before it starts.
  const cancelled = () => options.signal?.throwIfAborted();
  const stageReport = await buildStages(
    versions,
    log,
    online ? ["kind", "demo-image", "metallb"] : undefined,
    options.signal,
  );
  cancelled();
  const kind = join(resolved.get("kind")!.entry.path, "kind");
  const nodeImage = options.nodeImage ?? resolved.get("node-image")!.image!;
  const demoImage = resolved.get("demo-image")!.image!;
  if (online) await ensureImagePulled(nodeImage, log);
  cancelled();
  await ensureSeal(log);
  await undoLeftoverFaults(log);
  cancelled();

  const started = performance.now();
  if (options.recreate && (await listNodeContainers()).length > 0) {
    log.info(`cluster     --recreate: deleting "${clusterName}" first`);
    await deleteCluster(kind);
  }
  const outcome = await ensureCluster(kind, nodeImage, versions, !online, log);
  cancelled();
  await ensureImageLoaded(kind, demoImage, log);
  cancelled();
  const metallb = resolved.get("metallb")!;
  await ensureMetallb(kind, { image: metallb.image!, dir: metallb.entry.path }, log);
  if (outcome !== "reused") {
    const took = await verifyClusterDns(kubeconfigPath, demoImage).catch((error: unknown) => {
      throw new UserError(
        `cluster "${clusterName}" was created, but CoreDNS does not answer from a pod: ${error instanceof Error ? error.message : error}`,
        "inspect it (KUBECONFIG=" +
          kubeconfigPath +
          " kubectl -n kube-system get pods,events), then `npx kubequake cluster down` and `up` to recreate it.",
      );
    });
    log.info(
      `cluster     CoreDNS answers: kubernetes.default.svc.cluster.local resolved from a pod (${formatDuration(took / 1000)})`,
    );
  }
  await pruneStaleImages([nodeImage, demoImage, demoImageAlias, metallb.image!], log);
  const clusterSeconds = (performance.now() - started) / 1000;
  log.info(
    `cluster     "${clusterName}" ${outcome} in ${formatDuration(clusterSeconds)}; kubeconfig ${kubeconfigPath}`,
  );
  log.info(`            use it: export KUBECONFIG=${kubeconfigPath}  (context kind-${clusterName})`);
  return { stages: stageReport, cluster: outcome, clusterSeconds, nodeImage, demoImage, kubeconfig: kubeconfigPath };
}

/**
 * Faults a crashed run left on the cluster (a stopped or paused node, kube-proxy removed, the API server parked) are
 * undone from the fault ledger, so such a cluster is repaired rather than judged broken and recreated.
 */
async function undoLeftoverFaults(log: Logger): Promise<void> {
  const { undone, failed } = await undoOutstandingFaults(
    (entry) => faultOfCluster(entry, clusterName) && !processAlive(entry.ownerPid),
  );
  for (const entry of undone) log.info(`chaos       undid a fault an interrupted run left: ${entry.description}`);
  for (const error of failed) log.warn(`chaos       ${error.message}`);
}

/** The kind network exists and is sealed before any node boots (see seal.ts for what it blocks and why). */
async function ensureSeal(log: Logger): Promise<void> {
  const { network, created } = await ensureKindNetwork(ipFamily !== "ipv4");
  try {
    const added = await installSeal(network);
    if (created || added)
      log.info(
        `network     "${network.bridge}" (${network.subnets.join(", ")}) sealed: traffic leaving the kind network for anywhere but this host is rejected (${sealTables(
          network,
        )
          .map((t) => `${t.command} ${t.chain}`)
          .join(", ")})`,
      );
  } catch (error) {
    throw new UserError(
      `cannot seal the kind network ${network.bridge}: ${error instanceof Error ? error.message : error}`,
      "kubequake adds three iptables rules to Docker's DOCKER-USER chain so that no test packet leaves this machine; run it as root (or with CAP_NET_ADMIN), then `npx kubequake cluster up` again.",
      { cause: error },
    );
  }
}

async function ensureImagePulled(image: string, log: Logger): Promise<void> {
  const present = await runCommand("docker", ["image", "inspect", image], { allowFailure: true, timeoutMs: 30_000 });
  if (present.exitCode === 0) return;
  log.info(`pulling ${image}`);
  try {
    await runCommand("docker", ["pull", image], { timeoutMs: 15 * 60_000 });
  } catch (error) {
    throw new UserError(
      `cannot pull node image ${image}: no container registry answers.`,
      "omit --node-image to build the node image locally (the offline path).",
      { cause: error },
    );
  }
}

async function ensureCluster(
  kind: string,
  nodeImage: string,
  versions: PinnedVersions,
  builtOffline: boolean,
  log: Logger,
): Promise<UpReport["cluster"]> {
  const containers = await listNodeContainers();
  let repairReason: string | undefined;
  if (containers.length > 0) {
    repairReason = containerProblem(containers, nodeImage);
    if (!repairReason) {
      const before = kubeconfigServer();
      await exportKubeconfig(kind).catch((error) => {
        repairReason = `kind cannot export its kubeconfig (${error instanceof Error ? error.message : error})`;
      });
      const after = kubeconfigServer();
      if (before && after && before !== after) {
        log.warn(
          `kubeconfig ${kubeconfigPath} pointed at ${before}, a cluster that no longer answers there; rewritten to ${after}`,
        );
      }
    }
    if (!repairReason) repairReason = await healthProblemAfterGrace(log);
    if (!repairReason) repairReason = await proxyModeDrift();
    if (!repairReason) {
      if (await ensureHermeticDns(kubeconfigPath))
        log.info("cluster     CoreDNS no longer forwards names outside the cluster");
      return "reused";
    }
    log.warn(`cluster "${clusterName}" cannot be reused (${repairReason}); deleting and recreating it`);
    await deleteCluster(kind);
  }
  const configFile = join(cacheRoot, "state", `kind-config-${clusterName}.yaml`);
  const logFile = join(logDir, `kind-create-${Date.now()}.log`);
  mkdirSync(logDir, { recursive: true });
  log.info(
    `cluster     creating "${clusterName}" (1 control plane, ${workerCount} workers, kube-proxy ${proxyMode}${familyNote[ipFamily]}) from ${nodeImage} (log: ${logFile})`,
  );
  try {
    await createCluster(kind, kindConfig(nodeImage, versions, builtOffline), configFile, logFile);
    await waitForHealthyCluster(log, "all nodes Ready, CoreDNS has ready endpoints");
    await ensureHermeticDns(kubeconfigPath);
    await waitForHealthyCluster(log, "CoreDNS restarted to answer only for the cluster (no upstream forwarding)");
  } catch (error) {
    const diagnostics = await collectNodeDiagnostics();
    await deleteCluster(kind).catch(() => undefined);
    const leftover = await removeLeftoverNodeContainers().then(
      () => "",
      (removal: unknown) => `\nand removing its node containers failed too: ${String(removal)}`,
    );
    throw new UserError(
      `creating cluster "${clusterName}" failed: ${error instanceof Error ? error.message : String(error)}${diagnostics}${leftover}`,
      `read ${logFile}; the half-created cluster was deleted, so running \`npx kubequake cluster up\` again starts clean.`,
      { cause: error },
    );
  }
  return repairReason ? "recreated" : "created";
}

/** Why the existing cluster is not this variant's (kube-proxy in another mode than --proxy-mode asks), if it is not. */
async function proxyModeDrift(): Promise<string | undefined> {
  const running = await kubeProxyMode(await connectKube(kubeconfigPath));
  return running === proxyMode ? undefined : `its kube-proxy runs in ${running} mode, not ${proxyMode}`;
}

/**
 * A cluster whose node containers all run is given time before it is judged broken: a node just unpaused or
 * restarted, or an API server slow on a loaded machine, becomes healthy again by itself, and recreating a busy
 * cluster for being slow would destroy what runs there. Only a problem that lasts the whole grace is returned.
 */
async function healthProblemAfterGrace(log: Logger): Promise<string | undefined> {
  const first = healthProblem(await readClusterHealth(kubeconfigPath), expectedNodes);
  if (!first) return undefined;
  log.info(`cluster     not healthy yet (${first}); giving it up to 2 minutes before recreating it`);
  let last: string | undefined = first;
  await eventually(
    "the cluster becomes healthy again",
    async () => {
      last = healthProblem(await readClusterHealth(kubeconfigPath), expectedNodes);
      return { satisfied: last === undefined, value: last ?? "healthy" };
    },
    { timeoutMs: 120_000, intervalMs: 2000 },
  ).catch(() => undefined);
  return last;
}

function containerProblem(
  containers: readonly { name: string; state: string; image: string; role: string }[],
  nodeImage: string,
) {
  const running = containers.filter((c) => c.state === "running");
  if (running.length !== expectedNodes) {
    return `${running.length} of ${containers.length} node containers running, expected ${expectedNodes} (${containers.map((c) => `${c.name}=${c.state}`).join(", ")})`;
  }
  const stale = containers.find((c) => c.image !== nodeImage);
  if (stale) return `node ${stale.name} runs image ${stale.image}, but the current node image is ${nodeImage}`;
  return undefined;
}

async function waitForHealthyCluster(log: Logger, done: string): Promise<void> {
  await eventually(
    `${expectedNodes} nodes are Ready and CoreDNS has ready endpoints`,
    async () => {
      const health = await readClusterHealth(kubeconfigPath);
      const problem = healthProblem(health, expectedNodes);
      return { satisfied: problem === undefined, value: problem ?? "healthy" };
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  log.info(`cluster     ${done}`);
}

async function collectNodeDiagnostics(): Promise<string> {
  const containers = await listNodeContainers().catch(() => []);
  const parts: string[] = [];
  for (const container of containers.slice(0, 3)) {
    const journal = await runCommand(
      "docker",
      ["exec", container.name, "journalctl", "--no-pager", "-n", "15", "-u", "kubelet", "-u", "containerd"],
      { allowFailure: true, timeoutMs: 20_000 },
    ).catch(() => undefined);
    if (journal?.stdout)
      parts.push(
        `\n  ${container.name} (kubelet/containerd journal, last lines):\n${journal.stdout.replace(/^/gm, "    ")}`,
      );
  }
  return parts.join("");
}

/** A stable name of the demo image for QA's own manifests (the versioned tag changes with the sources). */
export const demoImageAlias = "kubequake.local/demo:current";

async function ensureImageLoaded(kind: string, image: string, log: Logger): Promise<void> {
  await runCommand("docker", ["tag", image, demoImageAlias], { timeoutMs: 30_000 });
  const containers = await listNodeContainers();
  const missing: string[] = [];
  for (const container of containers) {
    const images = await nodeImages(container.name);
    const has = (tag: string) => images.some((t) => t === tag || t === `docker.io/${tag}`);
    if (!has(image) || !has(demoImageAlias)) missing.push(container.name);
  }
  if (missing.length === 0) return;
  const started = performance.now();
  await loadImage(kind, [image, demoImageAlias], join(logDir, "kind-load.log"));
  log.info(
    `image       loaded ${image} (also ${demoImageAlias}) into ${missing.length} node(s) in ${seconds(started)}`,
  );
}

/**
 * Removes kubequake's node and demo images of earlier versions (a changed input builds a new tag, and each node
 * image is over 1 GB). Images still used by a container are kept.
 */
async function pruneStaleImages(current: readonly string[], log: Logger): Promise<void> {
  const listed = await runCommand(
    "docker",
    ["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference=kubequake.local/*"],
    { timeoutMs: 30_000 },
  );
  const stale = listed.stdout
    .split("\n")
    .filter(
      (image) => /^kubequake\.local\/(node|demo|component-base|metallb):/.test(image) && !current.includes(image),
    );
  const removed: string[] = [];
  for (const image of stale) {
    const result = await runCommand("docker", ["rmi", image], { allowFailure: true, timeoutMs: 120_000 });
    if (result.exitCode === 0) removed.push(image);
  }
  if (removed.length > 0) log.info(`images      removed ${removed.length} stale image(s): ${removed.join(", ")}`);
}

export async function clusterDown(log: Logger): Promise<void> {
  const versions = loadVersions();
  const kindStage = resolveStages(versions).get("kind")!;
  const kind = kindStage.entry.isComplete() ? join(kindStage.entry.path, "kind") : undefined;
  const engine = await dockerAnswers();
  if (!engine.answers) {
    log.info("no Docker engine answers, so no cluster exists");
    return;
  }
  const containers = await listNodeContainers();
  if (containers.length === 0) {
    log.info(`no cluster "${clusterName}" exists`);
    await removeSealUnlessShared(log);
    return;
  }
  await deleteCluster(kind);
  log.info(`deleted cluster "${clusterName}" (${containers.length} node containers); caches are kept in ${cacheRoot}`);
  await removeSealUnlessShared(log);
}

/**
 * Removes the kind network's seal, unless another kind cluster still has nodes on that network (the other kube-proxy
 * mode's cluster shares it, and its traffic must stay sealed). A dual-stack network goes with its last cluster.
 */
async function removeSealUnlessShared(log: Logger): Promise<void> {
  const others = (await listKindClusters()).filter((c) => networkOfCluster(c) === kindNetworkName);
  if (others.length > 0) {
    log.info(`network     the seal stays: the kind network still serves ${others.map((c) => `"${c}"`).join(", ")}`);
    return;
  }
  const network = await readKindNetwork();
  if (!network) return;
  const removed = await removeSeal(network.bridge);
  if (removed > 0)
    log.info(
      `network     removed the seal (${removed} rules: ${sealTables(network)
        .map((t) => `${t.command} ${t.chain}`)
        .join(", ")})`,
    );
  const dual = await removeDualStackNetwork();
  if (dual) log.info(`network     ${dual}`);
}

/** A read-only account of what exists and what is missing. */
export async function clusterStatus(): Promise<{ lines: string[]; healthy: boolean }> {
  const versions = loadVersions();
  const resolved = resolveStages(versions);
  const lines: string[] = [];
  const engine = await dockerAnswers();
  lines.push(
    engine.answers
      ? `engine      Docker ${engine.version} answers (runtime ${engine.runtime})`
      : "engine      MISSING: no Docker engine answers (cluster up starts one)",
  );
  let healthy = engine.answers;
  if (engine.answers) {
    const containers = await listNodeContainers();
    if (containers.length === 0) {
      lines.push(`cluster     MISSING: no cluster "${clusterName}"`);
      healthy = false;
    } else {
      const problem = containerProblem(containers, resolved.get("node-image")!.image!);
      const health = await readClusterHealth(kubeconfigPath);
      const apiProblem = healthProblem(health, expectedNodes);
      lines.push(
        `cluster     "${clusterName}": ${problem ?? apiProblem ?? "healthy"}, kube-proxy ${proxyMode} mode asked  (kubeconfig ${kubeconfigPath})`,
      );
      for (const container of containers) {
        const node = health.nodes.find((n) => n.name === container.name);
        lines.push(
          `  node      ${container.name.padEnd(28)} ${container.role.padEnd(14)} container ${container.state.padEnd(8)} ${node ? (node.ready ? "Ready" : "NotReady") : "unknown to API"} ${node?.internalIP ?? ""}`,
        );
      }
      healthy = healthy && !problem && !apiProblem;
      const metallb = await metallbStatusLine();
      lines.push(metallb.line);
      healthy = healthy && metallb.healthy;
    }
    const seal = await readSeal();
    lines.push(
      seal.installed
        ? `network     sealed: ${seal.network?.bridge} may reach only the kind network and this host; ${seal.rejected} packet(s) stopped so far`
        : `network     NOT SEALED: ${seal.network ? `${seal.network.bridge} can send packets off this machine` : `no "${kindNetworkName}" network yet`} (cluster up seals it)`,
    );
    healthy = healthy && seal.installed;
  }
  for (const stage of resolved.values()) {
    const ready = engine.answers ? await isStageReady(stage) : stage.entry.isComplete();
    lines.push(`${stage.stage.name.padEnd(17)} ${ready ? "cached " : "MISSING"}  ${location(stage)}`);
    healthy = healthy && ready;
  }
  lines.push(
    `caches      ${cacheRoot} (stages), Go modules ${process.env.GOMODCACHE ?? "~/go/pkg/mod"}, Go builds ~/.cache/go-build, Docker images /var/lib/docker`,
  );
  lines.push(
    `versions    Kubernetes ${versions.KUBERNETES_VERSION}, kind ${versions.KIND_VERSION}, etcd ${versions.ETCD_VERSION}, CoreDNS ${versions.COREDNS_VERSION}, flannel ${versions.FLANNEL_VERSION}, MetalLB ${versions.METALLB_VERSION} (${versionsFile})`,
  );
  return { lines, healthy };
}

/** The API server address in kubequake's kubeconfig, if the file exists. */
function kubeconfigServer(): string | undefined {
  try {
    return /server:\s*(\S+)/.exec(readFileSync(kubeconfigPath, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}
