import { readMetallb } from "../cluster/metallb.ts";
import { waitUntilClusterDnsSeesNewServices } from "../dns/canary.ts";
import { apiStatus, type Kube } from "../kube/client.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { defineFault } from "./declaration.ts";
import { waitUntilMetallbWhole } from "./metallb-faults.ts";
import { controlPlaneContainerOf, nodeContainerOf, nodeContainersOf } from "./targets.ts";

/**
 * Faults beyond a scenario's namespace, declared (declaration.ts) and applied by the registry (registry.ts): kind nodes
 * (Docker containers) stopped, paused or cut off, kube-proxy taken away, CoreDNS scaled to zero, the API server stopped.
 * Each acts only on the containers of the scenario's own cluster (targets.ts), gives its undo as a `docker` command
 * (written to the fault ledger before the fault is applied), and waits until the cluster is whole again after it, so
 * the next scenario starts on a healthy cluster.
 */

/** A node selector no node has: the DaemonSet controller removes kube-proxy from every node, the rules stay. */
const noProxyLabel = "kubequake.dev/chaos-no-kube-proxy";
const apiServerManifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const apiServerParked = "/etc/kubernetes/kube-apiserver.yaml.kubequake-parked";

/** The kubectl inside the scenario's cluster's control-plane node, with the admin kubeconfig kubeadm wrote there. */
async function kubectlInNode(scenario: ScenarioContext): Promise<string[]> {
  const controlPlane = await controlPlaneContainerOf(scenario);
  return ["exec", controlPlane, "kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf"];
}

async function docker(args: readonly string[], timeoutMs = 120_000): Promise<void> {
  await runCommand("docker", args, { timeoutMs });
}

export type NodeFault = "stopped" | "paused" | "cut off from the other nodes";

/** A kind node (a Docker container) is stopped, paused or cut off from the other nodes; undone at the end. */
export const nodeBroken = defineFault({
  phrase: "the node {node} is {nodeFault}",
  doc: "A kind node (a Docker container) is stopped, paused or cut off; undone at the end of the scenario. Needs @serial.",
  scope: "node",
  plan: async (scenario, node: ClusterNode, fault: NodeFault) => {
    const container = await nodeContainerOf(scenario, node.name);
    // The kubelet is back once it renewed its lease after the undo (whole() starts after the undo returned).
    const backAgain = async () => {
      await waitForHeartbeat(scenario.kube, node.name, Date.now(), 180);
      await waitUntilWhole(scenario.kube, 180);
      // MetalLB can be ready and crash again for about a minute after a node's return: whole only once it stays so.
      await waitUntilMetallbWhole(scenario, 180);
      // A CoreDNS replica on a paused node kept its (frozen) watch, and one on the control plane's node lost its API.
      await waitUntilClusterDnsSeesNewServices(scenario, 120);
    };
    if (fault === "stopped") {
      return {
        label: `node ${node.name} stopped`,
        nodes: [node.name],
        apply: () => docker(["stop", "-t", "0", container]),
        undo: { argv: ["docker", "start", container] },
        whole: backAgain,
      };
    }
    if (fault === "paused") {
      return {
        label: `node ${node.name} paused`,
        nodes: [node.name],
        apply: () => docker(["pause", container]),
        undo: { argv: ["docker", "unpause", container], alreadyUndone: "is not paused" },
        whole: backAgain,
      };
    }
    // Drops everything between this node and the other nodes, in the node's own network namespace; the host (and
    // so `docker exec`, which does not use the network) still reaches it, so the undo always can.
    const { nodes } = await nodeContainersOf(scenario);
    const peers = nodes.filter((n) => n.node !== node.name);
    // Every address of each peer, IPv6 too (a dual-stack or IPv6 cluster's nodes talk over it), each in its table.
    const ips = (await Promise.all(peers.map((peer) => nodeIPs(peer.container)))).flat();
    const rules = ips.flatMap((ip) => {
      const table = ip.includes(":") ? "ip6tables" : "iptables";
      return [
        [table, "INPUT", "-s", ip, "-j", "DROP", "-m", "comment", "--comment", "kubequake-chaos"],
        [table, "OUTPUT", "-d", ip, "-j", "DROP", "-m", "comment", "--comment", "kubequake-chaos"],
      ];
    });
    // Each rule deleted on its own, so a rule that is already gone does not keep the others in place.
    const undoScript = rules.map(([table, ...r]) => `${table} -D ${r.join(" ")} 2>/dev/null`).join("; ");
    return {
      label: `node ${node.name} cut off from ${peers.map((p) => p.node).join(", ")}`,
      nodes: [node.name],
      apply: async () => {
        for (const [table, ...rule] of rules) await docker(["exec", container, table!, "-I", ...rule]);
      },
      undo: { argv: ["docker", "exec", container, "sh", "-c", `${undoScript}; true`] },
      // A CoreDNS replica on the cut-off node lost its watch of the API server, and may be Ready but stale for a while.
      whole: async () => {
        await waitUntilWhole(scenario.kube, 180);
        await waitUntilClusterDnsSeesNewServices(scenario, 120);
      },
    };
  },
});

/** A node container's addresses on its Docker network: IPv4, and IPv6 on the network of the IPv6-capable clusters. */
async function nodeIPs(container: string): Promise<string[]> {
  const result = await runCommand(
    "docker",
    ["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}} {{end}}", container],
    { timeoutMs: 30_000 },
  );
  const ips = result.stdout.trim().split(/\s+/).filter(Boolean);
  if (ips.length === 0) throw new Error(`node ${container} has no address on its Docker network`);
  return ips;
}

/** kube-proxy leaves every node (the DaemonSet gets a node selector nothing matches); its rules stay behind. */
export const kubeProxyStopped = defineFault({
  phrase: "kube-proxy is stopped on every node",
  doc: "kube-proxy leaves every node (its iptables rules stay behind); back at the end of the scenario. Needs @serial.",
  scope: "cluster",
  plan: async (context) => {
    const kubectl = await kubectlInNode(context);
    // A strategic merge patch: null deletes the key, so the undo is harmless when it runs twice.
    const patch = (value: string | null) => [
      ...kubectl,
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
      apply: () => docker(patch("true")),
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

/** CoreDNS is scaled to zero; the undo scales it back to what it had and waits until every replica is ready. */
export const coreDnsDown = defineFault({
  phrase: "CoreDNS is down",
  doc: 'CoreDNS is scaled to zero until the end of the scenario (or "the faults are undone"). Needs @serial.',
  scope: "cluster",
  plan: async (context) => {
    const kubectl = await kubectlInNode(context);
    const deployment = await context.kube.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" });
    const replicas = deployment.spec?.replicas ?? 2;
    const scale = (n: number) => [...kubectl, "-n", "kube-system", "scale", "deployment", "coredns", `--replicas=${n}`];
    return {
      label: `CoreDNS scaled from ${replicas} to 0`,
      apply: () => docker(scale(0)),
      proof: () =>
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
      undo: { argv: ["docker", ...scale(replicas)] },
      whole: () => waitUntilWhole(context.kube, 120),
    };
  },
});

/**
 * The API server is unavailable for `seconds`: its static-pod manifest is moved out of the kubelet's manifest
 * directory, so the kubelet stops it; then it is moved back and the API waited for. The data plane (kube-proxy's
 * rules on every node) keeps serving meanwhile, which is what scenarios assert. "Down for N seconds" counts from when
 * the API stopped answering (the proof), not from the manifest's move: the kubelet takes a while to notice the move.
 */
export const apiServerDown = defineFault({
  phrase: "the API server is down for {int} second(s)",
  doc: [
    "The API server is stopped for N seconds, then brought back and waited for; the data plane keeps its rules. The step",
    "ends when the control plane leads again, which may take minutes (the kubelet's back-off), hence its own timeout.",
    "Needs @serial.",
  ].join("\n"),
  scope: "cluster",
  // The outage, then up to 7 minutes until the cluster is whole again (below).
  timeoutMs: 9 * 60_000,
  plan: async (context, seconds: number) => {
    const controlPlane = await controlPlaneContainerOf(context);
    return {
      label: `API server stopped for ${seconds} s`,
      apply: () => docker(["exec", controlPlane, "mv", apiServerManifest, apiServerParked]),
      proof: () =>
        eventually(
          "the API server stops answering",
          async () => {
            const answers = await apiAnswers(context.kube);
            return { satisfied: !answers, value: answers ? "still answering" : "down" };
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ).then(() => undefined),
      undo: {
        argv: [
          "docker",
          "exec",
          controlPlane,
          "sh",
          "-c",
          `[ ! -f ${apiServerParked} ] || mv ${apiServerParked} ${apiServerManifest}`,
        ],
      },
      // Up to 7 minutes: kube-controller-manager and kube-scheduler exit during the outage, the kubelet's back-off
      // before restarting them reaches 5 minutes when they crashed less than 10 minutes before (a soak: 5m15s seen),
      // and then they wait for their old lease to expire.
      // Then every CoreDNS replica must answer for a new Service: their watches come back on their own schedule.
      whole: async () => {
        await waitUntilWhole(context.kube, 420);
        await waitUntilClusterDnsSeesNewServices(context, 120);
      },
      forSeconds: seconds,
    };
  },
});

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
 * replicas ready, kube-controller-manager and kube-scheduler lead again, and MetalLB (where installed) has its
 * controller and every speaker ready. Waited for after every cluster-level
 * undo, so the next scenario starts on a healthy cluster.
 */
export async function waitUntilWhole(kube: Kube, seconds: number): Promise<void> {
  await eventually(
    "the cluster is whole again (API, every node Ready, kube-proxy on every node, CoreDNS at full strength, controller-manager and scheduler leading, MetalLB ready where installed)",
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
  const metallb = await metallbProblem(kube);
  if (metallb) problems.push(metallb);
  return problems;
}

/**
 * Where MetalLB is installed, its controller and a speaker on every node must be ready: after a node restart the
 * speakers crash-loop for about a minute, and a LoadBalancer scenario started meanwhile fails for a reason not its own.
 */
async function metallbProblem(kube: Kube): Promise<string | undefined> {
  const state = await readMetallb(kube);
  if (state.problem === "not installed") return undefined; // nothing to wait for
  return state.problem && `MetalLB ${state.problem}`;
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
