// The LoadBalancer figures (part of `npm run bench`; `node bench/load-balancer.ts` runs them alone): for 7 Services
// created one after another in front of one demo backend, the time from create (the API accepted it) to an address
// in status.loadBalancer (MetalLB's controller), and to the first answer from the host at that address (a speaker
// announced it over ARP and kube-proxy programmed the node); then requests/s from an outside container through the
// address. Targets (issue 8): median address time ≤ 5 s; ≥ 300 requests/s with new connections.
import { outsideClient } from "../support/clients/registry.ts";
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { connectKube, type Kube } from "../support/kube/client.ts";
import { clusterNetworks } from "../support/kube/networks.ts";
import { sendToTarget } from "../support/outside/send.ts";
import { type DemoWorkload, ScenarioContext } from "../support/scenario/context.ts";
import { createService, deployBackend } from "../support/services/backends.ts";
import { percentile } from "../support/traffic/statistics.ts";
import { eventually } from "../support/wait/eventually.ts";
import { demoImageName } from "../tooling/cluster-build/stages.ts";
import { loadVersions } from "../tooling/cluster-build/versions.ts";

const runs = 7;

export async function benchLoadBalancer(kube: Kube, workload: DemoWorkload, runId: string): Promise<string[]> {
  const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: "loadbalancer" });
  const addressMs: number[] = [];
  const answerMs: number[] = [];
  let throughput = "";
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
      if (i < runs - 1) await kube.core.deleteNamespacedService({ name, namespace: context.name });
    }
    // Throughput through the last address from an outside container (the demo prober, 4 connections at a time).
    const [result] = await sendToTarget(
      context,
      outsideClient(context, "bench"),
      { kind: "loadBalancer", service: `lb-${runs - 1}` },
      3000,
    );
    const probe = result!.probe;
    const first = Math.min(...probe.results.map((r) => r.startUnixMs));
    const last = Math.max(...probe.results.map((r) => r.startUnixMs + r.durationMs));
    const ok = probe.results.filter((r) => r.ok).length;
    throughput = `LoadBalancer (MetalLB L2): an outside client, new connection per request, 4 at a time: ${probe.results.length} requests (${ok} ok) in ${((last - first) / 1000).toFixed(2)} s = ${Math.round(probe.results.length / ((last - first) / 1000))} req/s (target ≥ 300)`;
  } finally {
    await context.cleanup();
  }
  const show = (values: number[]) =>
    `median ${(percentile(values, 50) / 1000).toFixed(2)} s, max ${(Math.max(...values) / 1000).toFixed(2)} s`;
  return [
    `LoadBalancer (MetalLB L2), ${runs} Services: create → address ${show(addressMs)} (target: median ≤ 5 s)`,
    `LoadBalancer (MetalLB L2), ${runs} Services: create → first answer from the host ${show(answerMs)}`,
    throughput,
  ];
}

if (import.meta.main) {
  const kube = await connectKube(kubeconfigPath);
  const workload = { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) };
  console.log((await benchLoadBalancer(kube, workload, `bench${Date.now().toString(36)}`)).join("\n"));
}
