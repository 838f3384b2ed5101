// The LoadBalancer figures (part of `npm run bench`; `node bench/load-balancer.ts` runs them alone): for 7 Services
// created one after another in front of one demo backend, the time from create (the API accepted it) to an address
// in status.loadBalancer (MetalLB's controller), and to the first answer from the host at that address (a speaker
// announced it over ARP and kube-proxy programmed the node). Target (issue 8): median address time ≤ 5 s.
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { demoImageName } from "../support/cluster/stages.ts";
import { loadVersions } from "../support/cluster/versions.ts";
import { connectKube, type Kube } from "../support/kube/client.ts";
import { clusterNetworks } from "../support/kube/networks.ts";
import { type DemoWorkload, ScenarioContext } from "../support/scenario/context.ts";
import { createService, deployBackend } from "../support/services/backends.ts";
import { percentile } from "../support/traffic/statistics.ts";
import { eventually } from "../support/wait/eventually.ts";

const runs = 7;

export async function benchLoadBalancer(kube: Kube, workload: DemoWorkload, runId: string): Promise<string[]> {
  const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: "loadbalancer" });
  const addressMs: number[] = [];
  const answerMs: number[] = [];
  try {
    await deployBackend(context, "web", 1);
    for (let i = 0; i < runs; i++) {
      const name = `lb-${i}`;
      await createService(context, { name, selector: { app: "web" }, type: "LoadBalancer" });
      const created = performance.now();
      const { value: address } = await eventually(
        `the Service ${name} gets a load-balancer address`,
        async () => {
          const service = await kube.core.readNamespacedService({ name, namespace: context.name });
          const ip = service.status?.loadBalancer?.ingress?.[0]?.ip;
          return { satisfied: ip !== undefined, value: ip ?? "none" };
        },
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      addressMs.push(performance.now() - created);
      // Bounded: one request at a time, each with a 500 ms limit, for at most 30 s, to an address on the kind network.
      await eventually(
        `http://${address}/ answers from the host`,
        async () => {
          const response = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(500) });
          await response.arrayBuffer();
          return { satisfied: response.ok, value: response.status };
        },
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      answerMs.push(performance.now() - created);
      await kube.core.deleteNamespacedService({ name, namespace: context.name });
    }
  } finally {
    await context.cleanup();
  }
  const show = (values: number[]) =>
    `median ${(percentile(values, 50) / 1000).toFixed(2)} s, max ${(Math.max(...values) / 1000).toFixed(2)} s`;
  return [
    `LoadBalancer (MetalLB L2), ${runs} Services: create → address ${show(addressMs)} (target: median ≤ 5 s)`,
    `LoadBalancer (MetalLB L2), ${runs} Services: create → first answer from the host ${show(answerMs)}`,
  ];
}

if (import.meta.main) {
  const kube = await connectKube(kubeconfigPath);
  const workload = { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) };
  console.log((await benchLoadBalancer(kube, workload, `bench${Date.now().toString(36)}`)).join("\n"));
}
