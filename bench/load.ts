// The background load engine's figures (part of `npm run bench`; `node bench/load.ts` runs it alone): achieved rate
// and schedule accuracy (start − scheduled) at 100, 300 and 1000 requests/s, a new connection per request, from 1
// and 2 client pods to the demo backend behind its Service's ClusterIP; and, side by side, the same engine outside
// the cluster (a prober container on the kind network, and one in the host's network) at 500 and 1000 requests/s
// to the Service's NodePort on a worker, driven directly rather than through the API server. The engine is vegeta's library in the prober, so
// the side by side is requested vs achieved; the one-shot /probe/http pacer (a hand-written loop, whole-millisecond
// intervals) is shown at the rates it can express, for comparison.

import { BackgroundLoad, type LoadResult } from "../support/chaos/load.ts";
import { podProberApi } from "../support/clients/prober-api.ts";
import { clientPodNames, hostClient, outsideClient } from "../support/clients/registry.ts";
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { connectKube, type Kube } from "../support/kube/client.ts";
import { clusterNetworks } from "../support/kube/networks.ts";
import { probeHttp } from "../support/kube/prober.ts";
import { clusterNodes, resolveOutsideTarget } from "../support/outside/targets.ts";
import { type DemoWorkload, ScenarioContext } from "../support/scenario/context.ts";
import { deployBehindService } from "../support/services/exposure.ts";
import { percentile } from "../support/traffic/statistics.ts";
import { demoImageName } from "../tooling/cluster-build/stages.ts";
import { loadVersions } from "../tooling/cluster-build/versions.ts";

const rates = [100, 300, 1000];
const outsideRates = [500, 1000];
const clientCounts = [1, 2];
const durationMs = 5000;
const url = "http://web/";

interface Row {
  readonly engine: string;
  readonly clients: number;
  readonly requested: number;
  readonly achieved: number;
  readonly requests: number;
  readonly ok: number;
  /** start − scheduled, milliseconds */
  readonly lag: readonly number[];
  /** from the scheduled time, milliseconds */
  readonly latency: readonly number[];
  readonly subMillisecond: number;
  readonly note: string;
}

function loadRow(clients: number, result: LoadResult, engine = "vegeta in client pods → ClusterIP"): Row {
  const held = result.rateHeld ? "held" : `NOT HELD: ${result.problems.join("; ")}`;
  const workers = result.clients.map((c) => c.peakWorkers).join("+");
  return {
    engine,
    clients,
    requested: result.requestedRate,
    achieved: result.achievedRate,
    requests: result.samples.length,
    ok: result.samples.filter((s) => s.ok).length,
    lag: result.samples.map((s) => s.startUnixMs - s.scheduledUnixMs),
    latency: result.samples.map((s) => s.latencyMs),
    subMillisecond: result.samples.filter((s) => !Number.isInteger(s.startUnixMs)).length,
    note: `${held}; peak workers ${workers}`,
  };
}

async function probeRow(kube: Kube, namespace: string, client: string, rate: number): Promise<Row> {
  const intervalMs = 1000 / rate;
  const count = (rate * durationMs) / 1000;
  const probe = await probeHttp(kube, namespace, client, {
    url,
    count,
    concurrency: 64,
    intervalMs,
    timeoutMs: 2000,
    maxDurationMs: durationMs + 5000,
  });
  const began = Date.parse(probe.startedAt);
  const starts = probe.results.map((r) => r.startUnixMs);
  // Its schedule puts request i at start + i × interval; the rate spans first to last start.
  const span = (Math.max(...starts) - Math.min(...starts)) / 1000;
  return {
    engine: "/probe/http paced (hand-written)",
    clients: 1,
    requested: rate,
    achieved: (probe.results.length - 1) / span,
    requests: probe.results.length,
    ok: probe.results.filter((r) => r.ok).length,
    lag: probe.results.map((r) => r.startUnixMs - (began + r.seq * intervalMs)),
    latency: probe.results.map((r) => r.startUnixMs - (began + r.seq * intervalMs) + r.durationMs),
    subMillisecond: probe.results.filter((r) => !Number.isInteger(r.startUnixMs)).length,
    note: `${probe.notSent} not sent; startedAt has ms resolution`,
  };
}

function table(rows: readonly Row[]): string[] {
  const header = [
    "engine",
    "clients",
    "requested/s",
    "achieved/s",
    "achieved %",
    "requests (ok)",
    "lag p50",
    "lag p99",
    "lag max",
    "latency p50",
    "latency p99",
    "sub-ms stamps",
    "note",
  ];
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const cells = rows.map((row) => [
    row.engine,
    String(row.clients),
    String(row.requested),
    row.achieved.toFixed(1),
    `${((100 * row.achieved) / row.requested).toFixed(1)}%`,
    `${row.requests} (${row.ok})`,
    ms(percentile(row.lag, 50)),
    ms(percentile(row.lag, 99)),
    ms(Math.max(...row.lag)),
    ms(percentile(row.latency, 50)),
    ms(percentile(row.latency, 99)),
    `${row.subMillisecond}/${row.requests}`,
    row.note,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
}

/**
 * Runs the load benchmark in its own scenario namespace and returns the table's lines. Each run lasts
 * {@link durationMs}; the rate is the total over the clients.
 */
export async function benchLoad(kube: Kube, workload: DemoWorkload, runId: string): Promise<string[]> {
  const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: "load" });
  try {
    await deployBehindService(context, { service: "web", replicas: 2, type: "NodePort" });
    const clients = await clientPodNames(context, Math.max(...clientCounts));
    const rows: Row[] = [];
    for (const count of clientCounts) {
      for (const rate of rates) {
        const apis = clients.slice(0, count).map((pod) => podProberApi(kube, context.name, pod));
        const load = await BackgroundLoad.start(apis, {
          url,
          rate,
          durationMs,
          timeoutMs: 2000,
        });
        rows.push(loadRow(count, await load.done()));
      }
    }
    // Outside: the NodePort on the first worker, from an outside container and from the host's network.
    const [worker] = (await clusterNodes(context)).filter((n) => !n.name.endsWith("control-plane"));
    const nodePort = await resolveOutsideTarget(context, { kind: "nodePort", service: "web", node: worker?.name });
    const outside = [
      { engine: "vegeta in an outside container → NodePort", client: outsideClient(context, "bench") },
      { engine: "vegeta in the host's network → NodePort", client: hostClient(context) },
    ];
    const apis = await Promise.all(outside.map(async ({ engine, client }) => ({ engine, api: await client.prober() })));
    // Rate by rate, so that neither engine runs right after the other's heaviest run (its connections still closing).
    for (const rate of outsideRates) {
      for (const { engine, api } of apis) {
        const load = await BackgroundLoad.start([api], { url: nodePort[0]!.url, rate, durationMs, timeoutMs: 2000 });
        rows.push(loadRow(1, await load.done(), engine));
      }
    }
    for (const rate of rates.filter((r) => Number.isInteger(1000 / r))) {
      rows.push(await probeRow(kube, context.name, clients[0]!, rate));
    }
    return [
      `background load, a new connection per request to ${url} (ClusterIP) or ${nodePort[0]!.url} (NodePort on ${worker?.name}), 2 backends, ${durationMs / 1000} s per run; lag = start − scheduled, latency from the scheduled time:`,
      ...table(rows),
    ];
  } finally {
    await context.cleanup();
  }
}

if (import.meta.main) {
  const kube = await connectKube(kubeconfigPath);
  const workload = { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) };
  console.log((await benchLoad(kube, workload, `bench${Date.now().toString(36)}`)).join("\n"));
}
