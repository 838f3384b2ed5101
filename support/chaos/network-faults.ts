import { UserError } from "../errors/user-error.ts";
import { apiStatus } from "../kube/client.ts";
import { containerMainProcess } from "../kube/container-process.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { defineFault } from "./declaration.ts";
import { nodeContainerOf } from "./targets.ts";

/**
 * Network faults inside pods' own network namespaces, applied from the node they run on (kind nodes are containers,
 * found in the scenario's own cluster: targets.ts; `nsenter` enters the pod's namespace by its main process). These
 * hosts' kernels have no netem, so what can be done is what iptables and tbf do: drop a share of packets (iptables
 * `statistic`), cap bandwidth (a tbf qdisc). Added latency needs something in the traffic path instead: see latency.ts.
 */

/** A ready pod's network namespace: the node container it runs in and its main process there. */
interface PodNetwork {
  readonly pod: string;
  readonly node: string;
  readonly pid: string;
}

/** The packet filters a pod's traffic goes through: iptables for its IPv4 address, ip6tables for its IPv6 one. */
export function filtersForAddresses(ips: readonly string[]): string[] {
  const filters: string[] = [];
  if (ips.some((ip) => !ip.includes(":"))) filters.push("iptables");
  if (ips.some((ip) => ip.includes(":"))) filters.push("ip6tables");
  return filters.length > 0 ? filters : ["iptables"];
}

/** The node container and main PID of each ready pod of a backend, for nsenter. */
async function podNamespaces(backend: Backend): Promise<(PodNetwork & { readonly filters: string[] })[]> {
  const pods = (await backend.pods()).filter((p) => p.ready);
  if (pods.length === 0) {
    throw new UserError(
      `no ready pod of "${backend.name}" to put a network fault on`,
      "deploy it first and wait until it is ready.",
    );
  }
  return Promise.all(
    pods.map(async (pod) => ({
      ...(await podNetwork(backend.scenario, pod.name)),
      filters: filtersForAddresses(pod.ips.length > 0 ? pod.ips : [pod.ip]),
    })),
  );
}

function podNetwork(scenario: ScenarioContext, pod: string): Promise<PodNetwork> {
  return containerMainProcess(scenario.kube, (node) => nodeContainerOf(scenario, node), scenario.name, pod);
}

function inPodNetwork(target: PodNetwork, command: readonly string[], allowFailure = false) {
  return runCommand("docker", ["exec", target.node, "nsenter", "-t", target.pid, "-n", ...command], {
    timeoutMs: 30_000,
    allowFailure,
  });
}

/**
 * Undoes a network fault in one pod. Nothing to undo is told apart from a failure: a pod deleted meanwhile took its
 * network namespace (and the fault) with it, and a rule or qdisc already gone (`alreadyUndone` in its error) is undone
 * already; a pod whose container restarted keeps its namespace (the pod's sandbox holds it), so the undo is run again
 * through its new main process. Anything else is an error, reported.
 */
async function undoInPod(
  scenario: ScenarioContext,
  target: PodNetwork,
  command: readonly string[],
  alreadyUndone: RegExp,
): Promise<void> {
  const first = await inPodNetwork(target, command, true);
  if (first.exitCode === 0 || alreadyUndone.test(first.stderr)) return;
  const now = await podNetwork(scenario, target.pod).catch((error: unknown) => {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  });
  if (now === undefined) return; // the pod is gone, and its network namespace with it
  const failure = (stderr: string) =>
    new Error(`undoing "${command.join(" ")}" in pod ${target.pod} failed: ${stderr.trim().slice(0, 300)}`);
  if (now.pid === target.pid) throw failure(first.stderr);
  const again = await inPodNetwork(now, command, true);
  if (again.exitCode !== 0 && !alreadyUndone.test(again.stderr)) throw failure(again.stderr);
}

/**
 * Drops `percent` % of the packets arriving at every ready pod of a backend (iptables `statistic` in the pod's
 * namespace). Undone at the end of the scenario; a pod that is replaced meanwhile takes its rule with it.
 */
export const packetsDropped = defineFault({
  phrase: "{int}% of packets to the pods of {backend} are dropped",
  doc: "Drops a share of the packets arriving at every ready pod of a backend (iptables and ip6tables in the pods' network namespaces).",
  scope: "namespace",
  plan: async (scenario, percent: number, backend: Backend) => {
    if (!(percent > 0 && percent <= 100)) {
      throw new UserError(`cannot drop ${percent}% of packets`, "give a share between 1 and 100 percent.");
    }
    const targets = await podNamespaces(backend);
    const rule = ["INPUT", "-m", "statistic", "--mode", "random", "--probability", String(percent / 100), "-j", "DROP"];
    // Each family the pod has: on a dual-stack or IPv6 cluster the traffic may be IPv6, which iptables never sees.
    return {
      label: `${percent}% of packets to the pods of ${backend.name} dropped`,
      pods: targets.map((t) => t.pod),
      apply: async () => {
        for (const target of targets)
          for (const filter of target.filters) await inPodNetwork(target, [filter, "-I", ...rule]);
      },
      // Every rule is tried even when one fails, so a failure never leaves the others dropping packets.
      undo: async () => {
        const failures: unknown[] = [];
        for (const target of targets)
          for (const filter of target.filters)
            await undoInPod(scenario, target, [filter, "-D", ...rule], /Bad rule|does a matching rule exist/).catch(
              (error: unknown) => failures.push(error),
            );
        if (failures.length === 1) throw failures[0];
        if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => String(f)).join("; "));
      },
    };
  },
});

/** Caps the bandwidth every ready pod of a backend sends with (a tbf qdisc on its eth0). Kilobits per second. */
export const bandwidthLimited = defineFault({
  phrase: "the pods of {backend} are limited to {int} kbit\\/s",
  doc: "Caps what every ready pod of a backend sends, in kbit/s (a tbf qdisc on the pod's interface).",
  scope: "namespace",
  plan: async (scenario, backend: Backend, kbitPerSecond: number) => {
    if (!(Number.isInteger(kbitPerSecond) && kbitPerSecond >= 8)) {
      throw new UserError(
        `cannot limit bandwidth to ${kbitPerSecond} kbit/s`,
        "give a whole number of at least 8 kbit/s.",
      );
    }
    const targets = await podNamespaces(backend);
    const tbf = ["tbf", "rate", `${kbitPerSecond}kbit`, "burst", "16kbit", "latency", "400ms"];
    return {
      label: `bandwidth of the pods of ${backend.name} limited to ${kbitPerSecond} kbit/s`,
      pods: targets.map((t) => t.pod),
      apply: async () => {
        for (const target of targets)
          await inPodNetwork(target, ["tc", "qdisc", "replace", "dev", "eth0", "root", ...tbf]);
      },
      // Deleting the root qdisc where none was added fails with one of these: the default qdisc is back already.
      undo: async () => {
        for (const target of targets)
          await undoInPod(
            scenario,
            target,
            ["tc", "qdisc", "del", "dev", "eth0", "root"],
            /Cannot delete qdisc with handle of zero|No such file or directory/,
          );
      },
    };
  },
});
