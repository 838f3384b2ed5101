// A client outside the cluster (a container on the kind Docker network, started with testcontainers) reaches a
// NodePort Service on every node's IP, and is answered by the backend pod.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kubeconfigPath } from "../../support/cluster/kind.ts";
import { demoImageName } from "../../support/cluster/stages.ts";
import { loadVersions } from "../../support/cluster/versions.ts";
import { connectKube, type Kube } from "../../support/kube/client.ts";
import { ScenarioNamespace } from "../../support/kube/namespace.ts";
import { nodeInternalIPs } from "../../support/kube/nodes.ts";
import { waitForReadyPods } from "../../support/kube/pods.ts";
import { demoPod, serviceManifest } from "../../support/kube/workloads.ts";
import { probeFromOutside } from "../../support/outside/client.ts";
import { eventually } from "../../support/wait/eventually.ts";

const image = demoImageName(loadVersions());
let kube: Kube;
let namespace: ScenarioNamespace;

before(async () => {
  kube = await connectKube(kubeconfigPath);
  namespace = await ScenarioNamespace.create(kube, `t${Date.now().toString(36)}`, "e2e", "outside-client");
  await namespace.apply(demoPod("backend-a", image, "backend", { labels: { app: "backend" } }));
  await waitForReadyPods(kube, namespace.name, { app: "backend" }, 1, 90_000);
});

after(async () => {
  await namespace?.cleanup();
});

test("a client container outside the cluster reaches a NodePort on every node's IP", async () => {
  const service = await namespace.apply(
    serviceManifest({ name: "web", selector: { app: "backend" }, type: "NodePort" }),
  );
  const nodePort = service.spec!.ports![0]!.nodePort!;
  const nodeIPs = await nodeInternalIPs(kube);
  assert.equal(nodeIPs.length, 3);
  for (const ip of nodeIPs) {
    await eventually(
      `the outside client is answered through ${ip}:${nodePort}`,
      async () => {
        const probe = await probeFromOutside(image, {
          url: `http://${ip}:${nodePort}/`,
          count: 5,
          allowedNetworks: nodeIPs.map((node) => `${node}/32`).join(","),
        });
        const answered = probe.results.filter((r) => r.ok && r.pod === "backend-a").length;
        return { satisfied: answered === 5, value: probe.results.map((r) => r.pod || r.errorKind) };
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }
  const leftovers = await import("../../support/process/command.ts").then(({ runCommand }) =>
    runCommand("docker", ["ps", "-aq", "--filter", `ancestor=${image}`]),
  );
  assert.equal(leftovers.stdout.trim(), "", "every outside client container was removed");
});
