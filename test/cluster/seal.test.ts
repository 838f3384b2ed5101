// The network seal (tooling/cluster-build/seal.ts) proven on the live cluster: a packet from the kind network to an
// address nothing on this machine serves is refused at the host, at once, instead of leaving the machine. Each
// probe is sent only after the seal is confirmed in place, so this test can never itself send a packet out.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import type { V1Service } from "@kubernetes/client-node";
import { kubeconfigPath } from "../../support/cluster/kind.ts";
import { connectKube, type Kube } from "../../support/kube/client.ts";
import { ScenarioNamespace } from "../../support/kube/namespace.ts";
import { clusterNetworks } from "../../support/kube/networks.ts";
import { waitForReadyPods } from "../../support/kube/pods.ts";
import { probeHttp } from "../../support/kube/prober.ts";
import { demoPod, managedByLabel, proberPod } from "../../support/kube/workloads.ts";
import { readSeal, sealTestDestinationsFile } from "../../tooling/cluster-build/seal.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";

/** TEST-NET-1 (RFC 5737): documentation addresses, served by nothing anywhere. */
const outsideAddress = "192.0.2.1";
const image = demoImageName(loadVersions());
const destinations: string[] = [];
let kube: Kube;
let namespace: ScenarioNamespace;

before(async () => {
  const seal = await readSeal();
  assert.ok(
    seal.installed,
    `the kind network is not sealed (${seal.network?.bridge ?? "no kind network"}): run cluster up`,
  );
  kube = await connectKube(kubeconfigPath);
  namespace = await ScenarioNamespace.create(kube, `t${Date.now().toString(36)}`, "e2e", "network-seal");
  // A client whose guard allows every address: it stands for any user workload, which has no guard at all.
  await namespace.apply(proberPod("unguarded", image, "0.0.0.0/0"));
  await namespace.apply(proberPod("guarded", image, await clusterNetworks(kube)));
  await namespace.apply(demoPod("backend-a", image, "backend", { labels: { app: "backend" } }));
  await waitForReadyPods(kube, namespace.name, { app: "kubequake-prober" }, 2, 90_000);
  await waitForReadyPods(kube, namespace.name, { app: "backend" }, 1, 90_000);
});

after(async () => {
  mkdirSync("reports/seal", { recursive: true });
  writeFileSync(sealTestDestinationsFile, JSON.stringify(destinations));
  await namespace?.cleanup();
});

/** Sends `count` requests after re-checking the seal, and returns the results and how many packets it stopped. */
async function sendPastTheSeal(prober: string, url: string, count: number) {
  const before = await readSeal();
  assert.ok(before.installed, "the seal is in place before anything is sent");
  destinations.push(new URL(url).hostname);
  const probe = await probeHttp(kube, namespace.name, prober, { url, count, timeoutMs: 3000 });
  const after = await readSeal();
  return { results: probe.results, stopped: after.rejected - before.rejected };
}

test("a pod without a client guard that sends off the machine is refused at the host, at once", async () => {
  const { results, stopped } = await sendPastTheSeal("unguarded", `http://${outsideAddress}/`, 1);
  assert.deepEqual(
    results.map((r) => r.errorKind),
    ["refused"],
    `outcome: ${results.map((r) => r.error).join("; ")}`,
  );
  assert.ok(results[0]!.durationMs < 1000, `refused in ${results[0]!.durationMs.toFixed(0)} ms, not a timeout`);
  assert.ok(stopped >= 1, `the seal's counter rose by ${stopped}`);
});

test("a ClusterIP that kube-proxy ignores is refused at the host, not routed off the machine", async () => {
  // kube-proxy skips Services labelled with another proxy's name, so this ClusterIP has no rules on any node; a
  // packet to it follows the node's default route to the host (Kubernetes' e2e test "should implement
  // service.kubernetes.io/service-proxy-name" relies on it never being answered).
  const service = await namespace.apply<V1Service>({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "ignored", labels: { ...managedByLabel, "service.kubernetes.io/service-proxy-name": "nobody" } },
    spec: { selector: { app: "backend" }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const clusterIP = service.spec!.clusterIP!;
  const { results, stopped } = await sendPastTheSeal("guarded", `http://${clusterIP}/`, 3);
  assert.deepEqual(
    results.map((r) => r.errorKind),
    ["refused", "refused", "refused"],
    `outcome: ${results.map((r) => r.pod || r.error).join("; ")}`,
  );
  assert.ok(stopped >= 3, `the seal's counter rose by ${stopped}`);
});
