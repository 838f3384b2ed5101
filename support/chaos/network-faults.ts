import { UserError } from "../errors/user-error.ts";
import { containerMainProcess } from "../kube/container-process.ts";
import { runCommand } from "../process/command.ts";
import type { Backend } from "../services/backend.ts";
import { applyFault } from "./faults.ts";

/**
 * Network faults inside pods' own network namespaces, applied from the node they run on (kind nodes are containers;
 * `nsenter` enters the pod's namespace by its main process). These hosts' kernels have no netem, so what can be
 * done is what iptables and tbf do: drop a share of packets (iptables `statistic`), cap bandwidth (a tbf qdisc).
 * Added latency needs something in the traffic path instead: see latency.ts.
 */

/** The node and main PID of each ready pod of a backend, for nsenter. */
async function podNamespaces(backend: Backend) {
  const pods = (await backend.pods()).filter((p) => p.ready);
  if (pods.length === 0) {
    throw new UserError(
      `no ready pod of "${backend.name}" to put a network fault on`,
      "deploy it first and wait until it is ready.",
    );
  }
  return Promise.all(pods.map((pod) => containerMainProcess(backend.scenario.kube, backend.scenario.name, pod.name)));
}

async function inPodNetwork(target: { node: string; pid: string }, command: readonly string[]) {
  return runCommand("docker", ["exec", target.node, "nsenter", "-t", target.pid, "-n", ...command], {
    timeoutMs: 30_000,
  });
}

/**
 * Drops `percent` % of the packets arriving at every ready pod of a backend (iptables `statistic` in the pod's
 * namespace). Undone at the end of the scenario; a pod that is replaced meanwhile takes its rule with it.
 */
export async function dropPackets(backend: Backend, percent: number): Promise<void> {
  const context = backend.scenario;
  if (!(percent > 0 && percent <= 100)) {
    throw new UserError(`cannot drop ${percent}% of packets`, "give a share between 1 and 100 percent.");
  }
  const targets = await podNamespaces(backend);
  const rule = ["INPUT", "-m", "statistic", "--mode", "random", "--probability", String(percent / 100), "-j", "DROP"];
  await applyFault(
    context,
    `${percent}% of packets to the pods of ${backend.name} dropped`,
    {
      make: async () => {
        for (const target of targets) await inPodNetwork(target, ["iptables", "-I", ...rule]);
      },
    },
    {
      make: async () => {
        for (const target of targets) await inPodNetwork(target, ["iptables", "-D", ...rule]).catch(() => undefined);
      },
    },
    { pods: targets.map((t) => t.pod) },
  );
}

/** Caps the bandwidth every ready pod of a backend sends with (a tbf qdisc on its eth0). Kilobits per second. */
export async function limitBandwidth(backend: Backend, kbitPerSecond: number): Promise<void> {
  const context = backend.scenario;
  if (!(Number.isInteger(kbitPerSecond) && kbitPerSecond >= 8)) {
    throw new UserError(
      `cannot limit bandwidth to ${kbitPerSecond} kbit/s`,
      "give a whole number of at least 8 kbit/s.",
    );
  }
  const targets = await podNamespaces(backend);
  await applyFault(
    context,
    `bandwidth of the pods of ${backend.name} limited to ${kbitPerSecond} kbit/s`,
    {
      make: async () => {
        for (const target of targets) {
          await inPodNetwork(target, [
            "tc",
            "qdisc",
            "replace",
            "dev",
            "eth0",
            "root",
            "tbf",
            "rate",
            `${kbitPerSecond}kbit`,
            "burst",
            "16kbit",
            "latency",
            "400ms",
          ]);
        }
      },
    },
    {
      make: async () => {
        for (const target of targets)
          await inPodNetwork(target, ["tc", "qdisc", "del", "dev", "eth0", "root"]).catch(() => undefined);
      },
    },
    { pods: targets.map((t) => t.pod) },
  );
}
