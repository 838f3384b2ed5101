// `npm run bench`: harness figures on a warm cluster (prints them; not a timed test).
//   per-scenario overhead: namespace → demo backend Ready → teardown, median of 7
//   a Service scenario: namespace → 2 backends behind a ClusterIP Service, in service → {backend} 5 times → teardown:
//   median seconds and API requests per scenario and per {backend} (handles come from the Scenario's registry)
//   prober throughput: requests/s with a new connection per request, and timestamp resolution
//   background load (bench/load.ts): achieved rate and schedule accuracy at 100, 300 and 1000 requests/s in the
//   cluster, and at 500 and 1000 requests/s from outside it (an outside container, the host), side by side
//   LoadBalancer (bench/load-balancer.ts): median time from create to an address, and to the first answer
//   every feature: wall time of `kubequake run` with 2 workers
//   cluster variants (bench/proxy-modes.ts): the same chaos scenarios on the iptables and nftables clusters, each
//   on IPv4 and dual-stack, their kill and failover windows side by side (clusters the bench made are taken down)
// `npm run bench -- --soak N [--paths P]… [--parallel W] [--minutes M]`: instead, the feature suite N times and a
//   tally of (false) failures (bench/soak.ts)
// `npm run bench -- --help`: this text

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { clientPod } from "../support/clients/registry.ts";
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { UserError } from "../support/errors/user-error.ts";
import { connectKube } from "../support/kube/client.ts";
import { clusterNetworks } from "../support/kube/networks.ts";
import { probeHttp } from "../support/kube/prober.ts";
import { ScenarioContext } from "../support/scenario/context.ts";
import { Backend } from "../support/services/backend.ts";
import { deployBackend } from "../support/services/backends.ts";
import { deployBehindService } from "../support/services/exposure.ts";
import { percentile } from "../support/traffic/statistics.ts";
import { demoImageName } from "../tooling/cluster-build/stages.ts";
import { loadVersions } from "../tooling/cluster-build/versions.ts";
import { parseJUnit } from "../tooling/conformance/junit.ts";
import { upstreamChecks } from "../tooling/coverage/grades.ts";
import { distinctScenarioSeconds, formatSideBySide, sideBySide } from "../tooling/coverage/versus-upstream.ts";
import { readScenarios } from "../tooling/sharding/scenarios.ts";
import { countApiRequests } from "./api-requests.ts";
import { benchLoad } from "./load.ts";
import { benchLoadBalancer } from "./load-balancer.ts";
import { answerBenchArguments } from "./options.ts";
import { benchProxyModes } from "./proxy-modes.ts";

const benchArguments = { name: "npm run bench", flags: [], soak: true };
if (answerBenchArguments(process.argv.slice(2), benchArguments, new URL(import.meta.url)) === "soak") {
  // `npm run bench -- --soak N [--paths P]`: the feature suite N times, with a tally of failures (bench/soak.ts).
  const { soak, soakOptions } = await import("./soak.ts");
  try {
    process.exit(await soak(soakOptions(process.argv.slice(2))));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    console.error(`bench: ${error.message}`);
    process.exit(1);
  }
}

const kube = await connectKube(kubeconfigPath);
const workload = { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) };
const runId = `bench${Date.now().toString(36)}`;
const figures: string[] = [];

const overheads: number[] = [];
for (let i = 0; i < 7; i++) {
  const started = performance.now();
  const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: `overhead-${i}` });
  await deployBackend(context, "web", 1);
  await context.cleanup();
  overheads.push((performance.now() - started) / 1000);
}
figures.push(
  `per-scenario overhead (namespace → 1 backend Ready → teardown), 7 runs: median ${percentile(overheads, 50).toFixed(2)} s, max ${Math.max(...overheads).toFixed(2)} s`,
);

const serviceScenario: { seconds: number; requests: number; perBackend: number }[] = [];
const requests = countApiRequests(kube);
for (let i = 0; i < 5; i++) {
  const atStart = requests.count();
  const started = performance.now();
  const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: `service-${i}` });
  await deployBehindService(context, { service: "web", replicas: 2, type: "ClusterIP" });
  const before = requests.count();
  for (let n = 0; n < 5; n++) Backend.resolve(context, "web");
  const perBackend = (requests.count() - before) / 5;
  await context.cleanup();
  serviceScenario.push({
    seconds: (performance.now() - started) / 1000,
    requests: requests.count() - atStart,
    perBackend,
  });
}
figures.push(
  `a Service scenario (namespace → 2 backends behind a ClusterIP Service, in service → {backend} ×5 → teardown), 5 runs: median ${percentile(
    serviceScenario.map((s) => s.seconds),
    50,
  ).toFixed(2)} s, ${percentile(
    serviceScenario.map((s) => s.requests),
    50,
  )} API requests per scenario (median), ${serviceScenario[0]?.perBackend ?? 0} API requests per {backend}`,
);

const context = await ScenarioContext.start(kube, workload, { run: runId, worker: "b", scenario: "prober" });
try {
  await deployBehindService(context, { service: "web", replicas: 2, type: "ClusterIP" });
  const { name: client } = await clientPod(context).start();
  for (const concurrency of [1, 8]) {
    const count = 3000;
    const probe = await probeHttp(kube, context.name, client, {
      url: "http://web/",
      count,
      concurrency,
      timeoutMs: 2000,
    });
    const first = Math.min(...probe.results.map((r) => r.startUnixMs));
    const last = Math.max(...probe.results.map((r) => r.startUnixMs + r.durationMs));
    const ok = probe.results.filter((r) => r.ok).length;
    const starts = probe.results.map((r) => r.startUnixMs).sort((a, b) => a - b);
    const fractional = starts.filter((s) => !Number.isInteger(s)).length;
    figures.push(
      `prober, new connection per request, concurrency ${concurrency}: ${count} requests (${ok} ok) in ${((last - first) / 1000).toFixed(2)} s = ${Math.round(count / ((last - first) / 1000))} req/s; p50 ${percentile(
        probe.results.map((r) => r.durationMs),
        50,
      ).toFixed(2)} ms; ${fractional}/${count} timestamps carry sub-millisecond digits`,
    );
  }
} finally {
  await context.cleanup();
}
figures.push(...(await benchLoad(kube, workload, runId)));
figures.push(...(await benchLoadBalancer(kube, workload, runId)));

const started = performance.now();
const run = spawnSync(process.execPath, ["bin/kubequake.js", "run", "--no-cluster-up"], {
  stdio: ["ignore", "pipe", "pipe"],
});
const summary = /(\d+ scenarios \([^)]*\))/.exec(run.stdout.toString())?.[1] ?? "no summary";
figures.push(
  `every feature with 2 workers: ${((performance.now() - started) / 1000).toFixed(1)} s, ${summary}, exit ${run.status}`,
);
// The same behaviours timed both ways: this run's scenarios against e2e.test's last [Conformance] run on this cluster.
const conformanceJUnit = "reports/junit/conformance.xml";
const benchScenarios = readScenarios("reports/cucumber-messages.ndjson");
const bothRan = sideBySide(
  upstreamChecks,
  existsSync(conformanceJUnit) ? parseJUnit(readFileSync(conformanceJUnit, "utf8")) : [],
  benchScenarios,
);
figures.push(...formatSideBySide(bothRan, distinctScenarioSeconds(bothRan, benchScenarios)));
figures.push(...(await benchProxyModes()));
console.log(figures.join("\n"));
