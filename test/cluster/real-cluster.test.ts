// End-to-end proof that `cluster up` produced a real cluster: real nodes, a CNI that routes between workers,
// kube-proxy Services, CoreDNS and NodePorts reachable from the host. Runs against the live "kubequake" cluster.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { request } from "undici";
import { kubeconfigPath } from "../../support/cluster/kind.ts";
import { connectKube, type Kube } from "../../support/kube/client.ts";
import { ScenarioNamespace } from "../../support/kube/namespace.ts";
import { clusterNetworks } from "../../support/kube/networks.ts";
import { nodeInternalIPs } from "../../support/kube/nodes.ts";
import { waitForReadyPods } from "../../support/kube/pods.ts";
import { probeDns, probeHttp } from "../../support/kube/prober.ts";
import { demoPod, proberPod, serviceManifest } from "../../support/kube/workloads.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";

const image = demoImageName(loadVersions());
let kube: Kube;
let namespace: ScenarioNamespace;
let workers: { name: string; ip: string }[];

before(async () => {
  kube = await connectKube(kubeconfigPath);
  namespace = await ScenarioNamespace.create(kube, `t${Date.now().toString(36)}`, "e2e", "real-cluster");
  const nodes = await kube.core.listNode();
  workers = nodes.items
    .filter((n) => !("node-role.kubernetes.io/control-plane" in (n.metadata?.labels ?? {})))
    .map((n) => ({ name: n.metadata!.name!, ip: n.status!.addresses!.find((a) => a.type === "InternalIP")!.address }));
  assert.equal(workers.length, 2, `expected 2 worker nodes, saw ${workers.map((w) => w.name).join(", ")}`);
  await namespace.apply(demoPod("backend-a", image, "backend", { node: workers[0]!.name, labels: { app: "backend" } }));
  await namespace.apply(proberPod("prober-b", image, await clusterNetworks(kube), workers[1]!.name));
  await waitForReadyPods(kube, namespace.name, { app: "backend" }, 1, 90_000);
  await waitForReadyPods(kube, namespace.name, { app: "kubequake-prober" }, 1, 90_000);
});

after(async () => {
  await namespace?.cleanup();
});

test("the cluster has 3 Ready nodes: 1 control plane and 2 workers", async () => {
  const nodes = (await kube.core.listNode()).items;
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  assert.equal(nodes.length, 3);
  assert.equal(ready.length, 3, `Ready: ${ready.map((n) => n.metadata?.name).join(", ")}`);
});

test("a pod on one worker reaches a pod on the other worker by pod IP, without source NAT", async () => {
  const backend = await kube.core.readNamespacedPod({ namespace: namespace.name, name: "backend-a" });
  const prober = await kube.core.readNamespacedPod({ namespace: namespace.name, name: "prober-b" });
  assert.notEqual(backend.spec?.nodeName, prober.spec?.nodeName);
  const probe = await probeHttp(kube, namespace.name, "prober-b", {
    url: `http://${backend.status!.podIP}:8080/`,
    count: 10,
  });
  assert.deepEqual(
    probe.results.map((r) => r.errorKind || "ok"),
    Array(10).fill("ok"),
  );
  assert.ok(probe.results.every((r) => r.pod === "backend-a" && r.node === workers[0]!.name));
  assert.ok(
    probe.results.every((r) => r.clientIP === prober.status!.podIP),
    `client IPs seen: ${probe.results[0]?.clientIP}`,
  );
});

test("a ClusterIP Service answers from a pod", async () => {
  const service = await namespace.apply(serviceManifest({ name: "backend", selector: { app: "backend" } }));
  const clusterIP = service.spec!.clusterIP!;
  assert.match(clusterIP, /^10\.96\./);
  const { eventually } = await import("../../support/wait/eventually.ts");
  await eventually(
    `Service backend (${clusterIP}) answers`,
    async () => {
      const probe = await probeHttp(kube, namespace.name, "prober-b", { url: `http://${clusterIP}/`, count: 20 });
      const answered = probe.results.filter((r) => r.ok && r.pod === "backend-a").length;
      return { satisfied: answered === 20, value: probe.results.map((r) => r.pod || r.errorKind) };
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
});

test("kubernetes.default.svc.cluster.local resolves from a pod to the kubernetes Service IP", async () => {
  const kubernetes = await kube.core.readNamespacedService({ namespace: "default", name: "kubernetes" });
  const results = await probeDns(kube, namespace.name, "prober-b", {
    name: "kubernetes.default.svc.cluster.local.",
    type: "A",
    count: 3,
  });
  for (const result of results) {
    assert.equal(result.ok, true, `lookup failed: ${result.error}`);
    assert.deepEqual(result.answers, [kubernetes.spec!.clusterIP]);
  }
});

test("a NodePort answers from the host on every node's IP", async () => {
  const service = await namespace.apply(
    serviceManifest({ name: "backend-nodeport", selector: { app: "backend" }, type: "NodePort" }),
  );
  const nodePort = service.spec!.ports![0]!.nodePort!;
  const nodes = await nodeInternalIPs(kube);
  const { eventually } = await import("../../support/wait/eventually.ts");
  for (const ip of nodes) {
    await eventually(
      `NodePort ${ip}:${nodePort} answers from the host`,
      async () => {
        const response = await request(`http://${ip}:${nodePort}/`, { headersTimeout: 2000, bodyTimeout: 2000 });
        const body = (await response.body.json()) as { pod?: string };
        return {
          satisfied: response.statusCode === 200 && body.pod === "backend-a",
          value: { status: response.statusCode, body },
        };
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
  }
});

test("the cluster is hermetic: names outside it do not resolve from a pod", async () => {
  const [lookup] = await probeDns(kube, namespace.name, "prober-b", { name: "example.com.", type: "A" });
  assert.equal(lookup?.ok, false, `example.com resolved to ${lookup?.answers}`);
  assert.equal(lookup?.errorKind, "nxdomain", "answered locally with NXDOMAIN, as a resolver would for a missing name");
});

test("clients refuse destinations outside the cluster's networks before connecting", async () => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737); the guard refuses it before any packet is sent.
  const probe = await probeHttp(kube, namespace.name, "prober-b", { url: "http://192.0.2.1/", count: 1 });
  assert.equal(probe.results[0]?.errorKind, "blocked");
  assert.match(
    probe.results[0]?.error ?? "",
    /192\.0\.2\.1 is not in ALLOWED_NETWORKS \(10\.244\.0\.0\/16,10\.96\.0\.0\/16,/,
  );
});
