import { clusterName, listNodeContainers } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import { apiStatus, type Kube } from "../kube/client.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { refuseBreakingOwnClients } from "../scheduling/client-placement.ts";
import { eventually } from "../wait/eventually.ts";
import type { Change } from "./chaos-log.ts";
import { defineFault } from "./declaration.ts";
import { applyFault, undoLatestFault } from "./faults.ts";

/**
 * Faults beyond a scenario's namespace: kind nodes (Docker containers) stopped, paused or cut off, kube-proxy taken
 * away, CoreDNS scaled to zero, the API server stopped. Each is written to the fault ledger with its `docker` undo
 * before it is applied, touches only this kubequake cluster's own containers, and its in-process undo waits until
 * the cluster is whole again, so the next scenario starts on a healthy cluster.
 */

/** The kubectl inside the control-plane node, with the admin kubeconfig kubeadm wrote there. */
const controlPlane = `${clusterName}-control-plane`;
const kubectlInNode = ["exec", controlPlane, "kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf"];
/** A node selector no node has: the DaemonSet controller removes kube-proxy from every node, the rules stay. */
const noProxyLabel = "kubequake.dev/chaos-no-kube-proxy";
const apiServerManifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const apiServerParked = "/etc/kubernetes/kube-apiserver.yaml.kubequake-parked";

/**
 * Applies a cluster fault: written to the fault ledger with its docker undo first, recorded as an action the moment its
 * change returned (before `fault.settle` waits for its effect), undone at the end of the scenario.
 */
async function applyClusterFault(
  context: ScenarioContext,
  label: string,
  fault: Change,
  undo: Change,
  dockerUndo: readonly string[],
  alreadyUndone?: string,
): Promise<void> {
  await applyFault(context, label, fault, undo, { dockerUndo: { command: dockerUndo, alreadyUndone } });
}

async function docker(args: readonly string[], timeoutMs = 120_000) {
  return runCommand("docker", args, { timeoutMs });
}

/** The kind node container of a node (a node of another kind of cluster has none): a clear error listing them. */
async function nodeContainer(node: string): Promise<string> {
  const containers = await listNodeContainers();
  if (!containers.some((c) => c.name === node)) {
    throw new UserError(
      `no node "${node}" in the kubequake cluster`,
      `use one of: ${containers.map((c) => `${c.name} (${c.role})`).join(", ")}`,
    );
  }
  return node;
}

export type NodeFault = "stopped" | "paused" | "cut off from the other nodes";

/** Applies a node fault; it is undone at the end of the scenario (or earlier by `restoreFaults`). */
export async function breakNode(context: ScenarioContext, node: ClusterNode, fault: NodeFault): Promise<void> {
  const name = await nodeContainer(node.name);
  await refuseBreakingOwnClients(context, `node ${name} ${fault}`, [node.name]);
  if (fault === "stopped") {
    let started = 0;
    await applyClusterFault(
      context,
      `node ${name} stopped`,
      { make: () => docker(["stop", "-t", "0", name]).then(() => undefined) },
      {
        make: async () => {
          started = Date.now();
          await docker(["start", name]);
        },
        settle: async () => {
          await waitForHeartbeat(context.kube, name, started, 180);
          await waitUntilWhole(context.kube, 180);
        },
      },
      ["start", name],
    );
  } else if (fault === "paused") {
    let resumed = 0;
    await applyClusterFault(
      context,
      `node ${name} paused`,
      { make: () => docker(["pause", name]).then(() => undefined) },
      {
        make: async () => {
          resumed = Date.now();
          await docker(["unpause", name]);
        },
        settle: async () => {
          await waitForHeartbeat(context.kube, name, resumed, 180);
          await waitUntilWhole(context.kube, 180);
        },
      },
      ["unpause", name],
      "is not paused",
    );
  } else {
    // Drops everything between this node and the other nodes, in the node's own network namespace; the host (and
    // so `docker exec`, which does not use the network) still reaches it, so the undo always can.
    const peers = (await listNodeContainers()).filter((c) => c.name !== name).map((c) => c.name);
    const ips = await Promise.all(peers.map(nodeIP));
    const rules = ips.flatMap((ip) => [
      ["INPUT", "-s", ip, "-j", "DROP", "-m", "comment", "--comment", "kubequake-chaos"],
      ["OUTPUT", "-d", ip, "-j", "DROP", "-m", "comment", "--comment", "kubequake-chaos"],
    ]);
    const undoScript = rules.map((r) => `iptables -D ${r.join(" ")} 2>/dev/null`).join("; ");
    await applyClusterFault(
      context,
      `node ${name} cut off from ${peers.join(", ")}`,
      {
        make: async () => {
          for (const rule of rules) await docker(["exec", name, "iptables", "-I", ...rule]);
        },
      },
      {
        make: () => docker(["exec", name, "sh", "-c", `${undoScript}; true`]).then(() => undefined),
        settle: () => waitUntilWhole(context.kube, 180),
      },
      ["exec", name, "sh", "-c", `${undoScript}; true`],
    );
  }
}

async function nodeIP(container: string): Promise<string> {
  const result = await docker([
    "inspect",
    "-f",
    "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
    container,
  ]);
  const ip = result.stdout.trim().split(/\s+/)[0];
  if (!ip) throw new Error(`node ${container} has no IPv4 address on its Docker network`);
  return ip;
}

/** kube-proxy leaves every node (the DaemonSet gets a node selector nothing matches); its rules stay behind. */
export const kubeProxyStopped = defineFault({
  phrase: "kube-proxy is stopped on every node",
  doc: "kube-proxy leaves every node (its iptables rules stay behind); back at the end of the scenario. Needs @serial.",
  scope: "cluster",
  plan: async (context) => {
    // A strategic merge patch: null deletes the key, so the undo is harmless when it runs twice.
    const patch = (value: string | null) => [
      ...kubectlInNode,
      "-n",
      "kube-system",
      "patch",
      "daemonset",
      "kube-proxy",
      "-p",
      JSON.stringify({ spec: { template: { spec: { nodeSelector: { [noProxyLabel]: value } } } } }),
    ];
    return {
      label: "kube-proxy stopped on every node",
      apply: () => docker(patch("true")).then(() => undefined),
      proof: () =>
        eventually(
          "every kube-proxy pod is gone",
          async () => {
            const pods = await context.kube.core.listNamespacedPod({
              namespace: "kube-system",
              labelSelector: "k8s-app=kube-proxy",
            });
            return { satisfied: pods.items.length === 0, value: pods.items.map((p) => p.metadata?.name).join(", ") };
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ).then(() => undefined),
      undo: { argv: ["docker", ...patch(null)] },
      whole: () => waitUntilWhole(context.kube, 120),
    };
  },
});

/** Scales CoreDNS to zero; the undo scales it back to what it had and waits until every replica is ready. */
export async function stopCoreDns(context: ScenarioContext): Promise<void> {
  const deployment = await context.kube.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" });
  const replicas = deployment.spec?.replicas ?? 2;
  const scale = (n: number) => [
    ...kubectlInNode,
    "-n",
    "kube-system",
    "scale",
    "deployment",
    "coredns",
    `--replicas=${n}`,
  ];
  await applyClusterFault(
    context,
    `CoreDNS scaled from ${replicas} to 0`,
    {
      make: () => docker(scale(0)).then(() => undefined),
      settle: () =>
        eventually(
          "CoreDNS has no ready endpoint",
          async () => {
            const slices = await context.kube.discovery.listNamespacedEndpointSlice({
              namespace: "kube-system",
              labelSelector: "kubernetes.io/service-name=kube-dns",
            });
            const ready = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false));
            return { satisfied: ready.length === 0, value: `${ready.length} ready` };
          },
          { timeoutMs: 60_000, intervalMs: 300 },
        ).then(() => undefined),
    },
    { make: () => docker(scale(replicas)).then(() => undefined), settle: () => waitUntilWhole(context.kube, 120) },
    scale(replicas),
  );
}

/**
 * Makes the API server unavailable for `seconds`: its static-pod manifest is moved out of the kubelet's manifest
 * directory, so the kubelet stops it; then it is moved back and the API waited for. The data plane (kube-proxy's
 * rules on every node) keeps serving meanwhile, which is what scenarios assert.
 */
export async function stopApiServerFor(context: ScenarioContext, seconds: number): Promise<void> {
  const restore = [
    "exec",
    controlPlane,
    "sh",
    "-c",
    `[ ! -f ${apiServerParked} ] || mv ${apiServerParked} ${apiServerManifest}`,
  ];
  await applyClusterFault(
    context,
    `API server stopped for ${seconds} s`,
    {
      make: () => docker(["exec", controlPlane, "mv", apiServerManifest, apiServerParked]).then(() => undefined),
      settle: () =>
        eventually(
          "the API server stops answering",
          async () => {
            const answers = await apiAnswers(context.kube);
            return { satisfied: !answers, value: answers ? "still answering" : "down" };
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ).then(() => undefined),
    },
    // Up to 7 minutes: kube-controller-manager and kube-scheduler exit during the outage, the kubelet's back-off before
    // restarting them reaches 5 minutes when they crashed less than 10 minutes before (a soak: 5m15s seen), and then
    // they wait for their old lease to expire.
    { make: () => docker(restore).then(() => undefined), settle: () => waitUntilWhole(context.kube, 420) },
    restore,
  );
  // "Down for N seconds" counts from when the API stopped answering (the settle above), not from the manifest's move
  // (the fault's stamp): the kubelet takes a while to notice the move. The steady traffic runs meanwhile.
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  await undoLatestFault(context);
}

async function apiAnswers(kube: Kube): Promise<boolean> {
  try {
    await kube.core.listNamespace({ limit: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until a node's kubelet renewed its lease after `sinceUnixMs`: a node that was stopped for a moment still
 * looks Ready (the node controller waits for the grace period), so Ready alone does not prove the kubelet is back.
 */
async function waitForHeartbeat(kube: Kube, node: string, sinceUnixMs: number, seconds: number): Promise<void> {
  await eventually(
    `the kubelet of ${node} renews its lease again`,
    async () => {
      const lease = await readLease(kube, "kube-node-lease", node);
      const renewed = lease?.renewTime ? new Date(lease.renewTime).getTime() : 0;
      return { satisfied: renewed > sinceUnixMs, value: `last renewed ${new Date(renewed).toISOString()}` };
    },
    { timeoutMs: seconds * 1000, intervalMs: 1000 },
  );
}

/**
 * The cluster is whole: the API answers, every node is Ready, kube-proxy runs ready on every node, CoreDNS has all its
 * replicas ready, and kube-controller-manager and kube-scheduler lead again. Waited for after every cluster-level
 * undo, so the next scenario starts on a healthy cluster.
 */
export async function waitUntilWhole(kube: Kube, seconds: number): Promise<void> {
  await eventually(
    "the cluster is whole again (API, every node Ready, kube-proxy on every node, CoreDNS at full strength, controller-manager and scheduler leading)",
    async () => {
      const problems = await wholenessProblems(kube);
      return { satisfied: problems.length === 0, value: problems.join("; ") || "whole" };
    },
    { timeoutMs: seconds * 1000, intervalMs: 1000 },
  );
}

export async function wholenessProblems(kube: Kube): Promise<string[]> {
  const problems: string[] = [];
  const nodes = (await kube.core.listNode()).items;
  const notReady = nodes.filter((n) => !n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  if (notReady.length > 0) problems.push(`nodes not Ready: ${notReady.map((n) => n.metadata?.name).join(", ")}`);
  const proxy = await kube.apps.readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" });
  const proxySelector = proxy.spec?.template.spec?.nodeSelector ?? {};
  if (noProxyLabel in proxySelector) problems.push("kube-proxy is still removed from the nodes");
  if ((proxy.status?.numberReady ?? 0) !== nodes.length)
    problems.push(`kube-proxy ready on ${proxy.status?.numberReady ?? 0} of ${nodes.length} nodes`);
  const dns = await kube.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" });
  if ((dns.status?.readyReplicas ?? 0) < (dns.spec?.replicas ?? 1) || (dns.spec?.replicas ?? 0) === 0)
    problems.push(`CoreDNS ${dns.status?.readyReplicas ?? 0}/${dns.spec?.replicas ?? 0} ready`);
  for (const component of leaderElected) {
    const problem = leaderProblem(component, await readLease(kube, "kube-system", component), Date.now());
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Control-plane components that work only while they hold their leader lease. When the API server is away longer
 * than their renew deadline (10 s by default), they exit; the kubelet restarts them, after a back-off that grows to
 * minutes when they crash often (as in a soak). Until one leads again, no Deployment gets pods (controller-manager)
 * and no pod gets a node (scheduler): a scenario started then fails for a reason that is not its own.
 */
const leaderElected = ["kube-controller-manager", "kube-scheduler"] as const;

interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly renewTime?: string | Date;
  readonly leaseDurationSeconds?: number;
}

/** A Lease's spec, or undefined where the cluster keeps none we may read (404, 403). */
async function readLease(kube: Kube, namespace: string, name: string): Promise<LeaseSpec | undefined> {
  try {
    const lease = (await kube.objects.read({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace },
    })) as { spec?: LeaseSpec };
    return lease.spec ?? {};
  } catch (error) {
    // A cluster whose control plane is hosted keeps no such lease where we can read it: nothing to wait for.
    if (apiStatus(error) === 404 || apiStatus(error) === 403) return undefined;
    throw error;
  }
}

/** Why `component` does not lead now (its lease not renewed within its duration), or undefined when it does. */
export function leaderProblem(component: string, lease: LeaseSpec | undefined, nowUnixMs: number): string | undefined {
  if (lease === undefined) return undefined;
  const renewed = lease.renewTime ? new Date(lease.renewTime).getTime() : Number.NaN;
  const durationMs = (lease.leaseDurationSeconds ?? 15) * 1000;
  if (Number.isFinite(renewed) && nowUnixMs - renewed <= durationMs) return undefined;
  const age = Number.isFinite(renewed)
    ? `last renewed ${((nowUnixMs - renewed) / 1000).toFixed(0)} s ago`
    : "never renewed";
  return `${component} does not lead (its lease was ${age}; the kubelet restarts it, maybe after a back-off)`;
}
