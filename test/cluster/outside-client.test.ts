// A client outside the cluster (a container on the kind Docker network, started with testcontainers) reaches a
// NodePort Service on every node's IP and is answered by the backend pod; it sends ≥ 300 requests/s with a new
// connection each (issue 8's target); and its container is gone after the scenario's cleanup.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { outsideClient } from "../../support/clients/registry.ts";
import { kubeconfigPath } from "../../support/cluster/kind.ts";
import { connectKube } from "../../support/kube/client.ts";
import { clusterNetworks } from "../../support/kube/networks.ts";
import { outsideOwnerLabel } from "../../support/outside/containers.ts";
import { sendToTarget } from "../../support/outside/send.ts";
import { runCommand } from "../../support/process/command.ts";
import { ScenarioContext } from "../../support/scenario/context.ts";
import { deployBehindService } from "../../support/services/exposure.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";

let scenario: ScenarioContext;

before(async () => {
  const kube = await connectKube(kubeconfigPath);
  const workload = { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) };
  scenario = await ScenarioContext.start(kube, workload, {
    run: `t${Date.now().toString(36)}`,
    worker: "e2e",
    scenario: "outside-client",
  });
  await deployBehindService(scenario, { service: "web", replicas: 1, type: "NodePort" });
});

after(async () => {
  await scenario?.cleanup();
});

test("a client container outside the cluster reaches a NodePort on every node's IP", async () => {
  const results = await sendToTarget(scenario, outsideClient(scenario, "e2e"), { kind: "nodePort", service: "web" }, 5);
  assert.equal(results.length, 3, "one result per node");
  for (const result of results) {
    assert.deepEqual(
      result.probe.results.map((r) => r.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, "")),
      ["web", "web", "web", "web", "web"],
      `${result.client}: ${JSON.stringify(result.summary)}`,
    );
  }
});

test("an outside client sends at least 300 requests/s through a NodePort, a new connection each", async () => {
  const node = (await scenario.kube.core.listNode()).items[0]!.metadata!.name!;
  const [result] = await sendToTarget(
    scenario,
    outsideClient(scenario, "e2e"),
    { kind: "nodePort", service: "web", node },
    3000,
  );
  const requests = result!.probe.results;
  const first = Math.min(...requests.map((r) => r.startUnixMs));
  const last = Math.max(...requests.map((r) => r.startUnixMs + r.durationMs));
  const perSecond = requests.length / ((last - first) / 1000);
  console.log(
    `outside client → NodePort on ${node}: ${requests.length} requests in ${((last - first) / 1000).toFixed(2)} s = ${Math.round(perSecond)} req/s`,
  );
  assert.equal(requests.filter((r) => r.ok).length, 3000, JSON.stringify(result!.summary));
  assert.ok(perSecond >= 300, `${Math.round(perSecond)} req/s, expected ≥ 300`);
});

test("the scenario's cleanup removes its outside container", async () => {
  await scenario.cleanup();
  const left = await runCommand("docker", [
    "ps",
    "-a",
    "--filter",
    `label=kubequake.dev/namespace=${scenario.name}`,
    "--filter",
    `label=${outsideOwnerLabel}`,
    "-q",
  ]);
  assert.equal(left.stdout.trim(), "", "no outside container of the scenario is left");
});
