// Any cluster by kubeconfig: a SEPARATE single-node kind cluster, created here from the cached node image as a
// user's existing cluster would be, is used through `--kubeconfig`/`--context`. Nothing is built, the demo image is
// loaded into its node through Docker, scenarios that need 3 nodes or node chaos are reported skipped with the
// reason, chaos is refused up front unless the context is allowlisted — and then a component fault acts on THAT cluster
// (never on kubequake's: its node containers, kube-proxy and CoreDNS are compared before and after), one breaker at a
// time (a chaos Lease another holder has makes the run wait and fail naming it; a stale one is taken over) — and the
// cluster is deleted again whatever happens.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chaosLeaseName, chaosLeaseNamespace } from "../../support/chaos/chaos-lease.ts";
import { kubeconfigPath, listNodeContainers } from "../../support/cluster/kind.ts";
import { apiStatus, connectKube, type Kube } from "../../support/kube/client.ts";
import { clusterNetworks } from "../../support/kube/networks.ts";
import { runCommand } from "../../support/process/command.ts";
import { ScenarioContext } from "../../support/scenario/context.ts";
import { deployBackend } from "../../support/services/backends.ts";
import { percentile } from "../../support/traffic/statistics.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { cacheRoot } from "../../tooling/cluster-build/cache.ts";
import { kindNetworkName } from "../../tooling/cluster-build/seal.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { readSkipReasons } from "../../tooling/reports/skips.ts";
import { newRunId, runNode } from "./run-cucumber.ts";

const name = "kubequake-other";
const context = `kind-${name}`;
const dir = "reports/harness/other-cluster";
const kubeconfig = join(dir, "kubeconfig");

/** The kind binary `cluster up` built (the newest in the cache). */
function kindBinary(): string {
  const root = join(cacheRoot, "kind");
  const found = readdirSync(root)
    .map((key) => join(root, key, "kind"))
    .filter((path) => existsSync(path));
  assert.ok(found[0], `no kind binary under ${root}: run \`npx kubequake cluster up\` first`);
  return found[0];
}

async function deleteOther(): Promise<void> {
  await runCommand(kindBinary(), ["delete", "cluster", "--name", name, "--kubeconfig", kubeconfig], {
    timeoutMs: 5 * 60_000,
    allowFailure: true,
  });
}

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await deleteOther(); // left by an interrupted earlier run
  const [node] = await listNodeContainers();
  assert.ok(node, "the kubequake cluster's node image is the one reused: run `npx kubequake cluster up` first");
  const versions = loadVersions();
  // One node, kind's defaults otherwise; the offline-built image carries CoreDNS and etcd under versions.env's tags.
  const config = join(dir, "kind.yaml");
  writeFileSync(
    config,
    `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: ${name}
networking:
  kubeProxyMode: iptables
nodes:
  - role: control-plane
    image: ${node.image}
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri"]
      restrict_oom_score_adj = true
kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    dns:
      imageTag: ${versions.COREDNS_VERSION}
    etcd:
      local:
        imageTag: ${versions.ETCD_IMAGE_TAG}
`,
  );
  await runCommand(kindBinary(), ["create", "cluster", "--config", config, "--kubeconfig", kubeconfig, "--retain"], {
    timeoutMs: 10 * 60_000,
    env: { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: kindNetworkName },
    logFile: join(dir, "kind-create.log"),
  });
  const kube = await connectKube(kubeconfig);
  await eventually(
    `${name}: its node Ready and CoreDNS with a ready endpoint`,
    async () => {
      const nodes = await kube.core.listNode();
      const ready = nodes.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      ).length;
      const slices = await kube.discovery.listNamespacedEndpointSlice({
        namespace: "kube-system",
        labelSelector: "kubernetes.io/service-name=kube-dns",
      });
      const dns = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
      return { satisfied: ready === 1 && dns > 0, value: `${ready} node(s) Ready, ${dns} CoreDNS endpoint(s) ready` };
    },
    { timeoutMs: 240_000, intervalMs: 2000 },
  );
});

// Always, also when a test failed or the cluster came up only half.
after(async () => {
  await deleteOther();
  const left = await runCommand("docker", ["ps", "-a", "--filter", `label=io.x-k8s.kind.cluster=${name}`, "-q"], {
    timeoutMs: 30_000,
  });
  assert.equal(left.stdout.trim(), "", `containers of ${name} left behind`);
});

test("chaos on a context that is not allowlisted is refused before anything runs", async () => {
  const run = await runNode(
    ["bin/kubequake.js", "run", "--kubeconfig", kubeconfig, "--context", context, "features/chaos"],
    { KUBEQUAKE_REPORTS: join(dir, "refused"), KUBEQUAKE_CHAOS_CONTEXTS: "" },
  );
  assert.equal(run.code, 1);
  assert.match(
    run.output,
    /\d+ selected scenario\(s\) are tagged @chaos .*the context "kind-kubequake-other" is not one kubequake may break.*\n {2}what to do: leave them out with --tags "not @chaos", or, if "kind-kubequake-other" is disposable, set KUBEQUAKE_CHAOS_CONTEXTS=kind-kubequake-other\./,
  );
  assert.ok(!existsSync(join(dir, "refused", "cucumber-messages.ndjson")), "no scenario started");
});

test("a subset runs through --context on the other cluster; 3-node scenarios are skipped, saying why", async () => {
  const reports = join(dir, "run");
  const runId = newRunId("oc");
  const started = performance.now();
  const run = await runNode(
    [
      "bin/kubequake.js",
      "run",
      "--kubeconfig",
      kubeconfig,
      "--context",
      context,
      "features/routing/clusterip-routing.feature",
      "test/fixtures/needs",
      "test/fixtures/needs-loadbalancer",
    ],
    {
      KUBEQUAKE_REPORTS: reports,
      KUBEQUAKE_RUN_ID: runId,
      KUBEQUAKE_CHAOS_CONTEXTS: "",
      KUBEQUAKE_LOADBALANCER_WAIT: "10",
    },
  );
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(dir, "run-seconds.txt"), `${seconds.toFixed(1)}\n`);
  assert.equal(run.code, 0, `output tail:\n${run.output.slice(-4000)}`);
  assert.match(
    run.output,
    /cluster: context "kind-kubequake-other" \(from --context; the file's current-context is left as it is\) in .*kubeconfig \(from --kubeconfig\) — an existing cluster: kubequake builds and creates nothing there/,
  );
  assert.match(run.output, /1\/1 nodes Ready .*node chaos no \(the context "kind-kubequake-other" is not allowlisted/);
  assert.match(run.output, /demo image: kubequake-other-control-plane: loaded /);
  assert.doesNotMatch(run.output, /\[cluster\]|building|kind create/i, "nothing is built or created");
  const outcomes = readScenarioOutcomes(join(reports, "cucumber-messages.ndjson"));
  const skipped = readSkipReasons(join(reports, "cucumber-messages.ndjson"));
  assert.deepEqual(skipped.map((s) => `${s.key} ${s.why}`).sort(), [
    'features/routing/clusterip-routing.feature:14 skipped: @needs:nodes>=3: needs 3 Ready nodes, the cluster (context "kind-kubequake-other") has 1',
    "test/fixtures/needs-loadbalancer/loadbalancer.feature:6 skipped: @needs:loadbalancer: a LoadBalancer Service got no address within 10 s (no load-balancer controller such as MetalLB or a cloud provider answers)",
    'test/fixtures/needs/needs.feature:6 skipped: @needs:nodes>=99: needs 99 Ready nodes, the cluster (context "kind-kubequake-other") has 1',
  ]);
  assert.deepEqual(
    outcomes.filter((o) => o.status !== "PASSED" && o.status !== "SKIPPED").map((o) => `${o.name}: ${o.message}`),
    [],
  );
  assert.equal(outcomes.filter((o) => o.status === "SKIPPED").length, 3);
  assert.ok(outcomes.filter((o) => o.status === "PASSED").length >= 4, "the rest ran and passed");
  const junit = readFileSync(join(reports, "junit", "cucumber.xml"), "utf8");
  assert.match(junit, /<skipped message="skipped: @needs:nodes&gt;=3: needs 3 Ready nodes/);
  // Its namespaces were made on the other cluster, and are gone.
  const kube = await connectKube(kubeconfig);
  const left = await kube.core.listNamespace({ labelSelector: `kubequake.dev/run=${runId}` });
  assert.deepEqual(
    left.items.filter((ns) => ns.status?.phase !== "Terminating").map((ns) => ns.metadata?.name),
    [],
  );
});

test("a scenario's overhead on the other cluster is close to the kind cluster's (namespace → backend Ready → teardown)", async (t) => {
  const image = demoImageName(loadVersions());
  const clusters = await Promise.all(
    [kubeconfigPath, kubeconfig].map(async (path) => {
      const kube = await connectKube(path);
      return { kube, workload: { image, allowedNetworks: await clusterNetworks(kube) }, seconds: [] as number[] };
    }),
  );
  const runId = newRunId("ov");
  // Interleaved, so load from other work on this machine falls on both alike.
  for (let i = 0; i < 5; i++) {
    for (const cluster of clusters) {
      const started = performance.now();
      const context = await ScenarioContext.start(cluster.kube, cluster.workload, {
        run: runId,
        worker: "o",
        scenario: `overhead-${i}`,
      });
      try {
        await deployBackend(context, "web", 1);
      } finally {
        await context.cleanup();
      }
      cluster.seconds.push((performance.now() - started) / 1000);
    }
  }
  const [own, other] = clusters.map((c) => percentile(c.seconds, 50));
  const line = `overhead median of 5: kind cluster ${own!.toFixed(2)} s, other cluster ${other!.toFixed(2)} s (${((other! / own!) * 100).toFixed(0)}%)`;
  t.diagnostic(line);
  writeFileSync(join(dir, "overhead.txt"), `${line}\n`);
  // The target is ≤ 120%; the bound leaves room for a loaded 2-core machine, the figure above is the measurement.
  assert.ok(other! <= own! * 1.5 + 0.5, line);
});

/**
 * What a fault on the kubequake cluster would change: its node containers' state and start time, kube-proxy's and
 * CoreDNS's pods (UID, restarts) and the specs of their DaemonSet and Deployment.
 */
async function kubequakeState(): Promise<string[]> {
  const containers = (await listNodeContainers()).map((c) => c.name).sort();
  const inspected = await runCommand(
    "docker",
    [
      "inspect",
      "-f",
      "{{.Name}} {{.State.Status}} paused={{.State.Paused}} started={{.State.StartedAt}}",
      ...containers,
    ],
    { timeoutMs: 30_000 },
  );
  const kube = await connectKube(kubeconfigPath);
  const pods = await kube.core.listNamespacedPod({
    namespace: "kube-system",
    labelSelector: "k8s-app in (kube-proxy, kube-dns)",
  });
  const proxy = await kube.apps.readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" });
  const dns = await kube.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" });
  return [
    ...inspected.stdout.trim().split("\n"),
    ...pods.items
      .map(
        (p) =>
          `pod ${p.metadata?.name} uid=${p.metadata?.uid} restarts=${p.status?.containerStatuses?.[0]?.restartCount}`,
      )
      .sort(),
    `kube-proxy DaemonSet spec ${JSON.stringify(proxy.spec)}`,
    `coredns Deployment spec ${JSON.stringify(dns.spec)}`,
  ];
}

/** Writes the chaos Lease of the other cluster as a holder from elsewhere, last renewed `renewedSecondsAgo` ago. */
async function leaseHeldByAnother(kube: Kube, renewedSecondsAgo: number): Promise<void> {
  const renewed = new Date(Date.now() - renewedSecondsAgo * 1000).toISOString().replace(/Z$/, "000Z");
  const lease = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: chaosLeaseName,
      namespace: chaosLeaseNamespace,
      annotations: { "kubequake.dev/scenario": "a chaos scenario of another machine" },
    },
    spec: {
      holderIdentity: "elsewhere pid 4242 run other",
      acquireTime: renewed,
      renewTime: renewed,
      leaseDurationSeconds: 60,
    },
  };
  await kube.objects.delete(lease).catch((error: unknown) => {
    if (apiStatus(error) !== 404) throw error;
  });
  await kube.objects.create(lease as never);
}

async function otherCoreDnsReplicas(kube: Kube): Promise<number> {
  return (await kube.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" })).spec?.replicas ?? -1;
}

test("chaos on the other cluster waits for its chaos Lease, then acts on that cluster only, never on kubequake's", async (t) => {
  const other = await connectKube(kubeconfig);
  const fixture = "test/fixtures/other-cluster-chaos";
  const env = (name: string) => ({
    KUBEQUAKE_REPORTS: join(dir, name),
    KUBEQUAKE_RUN_ID: newRunId("occ"),
    KUBEQUAKE_CHAOS_CONTEXTS: context,
  });
  const args = ["bin/kubequake.js", "run", "--kubeconfig", kubeconfig, "--context", context, fixture];
  const before = await kubequakeState();
  const replicas = await otherCoreDnsReplicas(other);

  // Another holder renewed the lease a moment ago: the run waits (5 s here) and fails naming it; nothing was broken.
  await leaseHeldByAnother(other, 0);
  const refused = await runNode(args, { ...env("lease-held"), KUBEQUAKE_CHAOS_LEASE_WAIT: "5" });
  assert.equal(refused.code, 1, `output tail:\n${refused.output.slice(-3000)}`);
  assert.match(
    refused.output,
    /another run is breaking this cluster: its chaos lease kube-system\/kubequake-chaos is held by elsewhere pid 4242 run other \(scenario "a chaos scenario of another machine"\) since \S+, last renewed \S+; waited 5 s \(KUBEQUAKE_CHAOS_LEASE_WAIT\)/,
  );
  assert.equal(await otherCoreDnsReplicas(other), replicas, "CoreDNS was not touched while the lease was held");

  // The same holder, silent for longer than the lease's duration (crashed): its lease is stale and taken over.
  await leaseHeldByAnother(other, 120);
  const started = performance.now();
  const [run, down] = await Promise.all([
    runNode(args, env("chaos")),
    eventually(
      "CoreDNS of the OTHER cluster is scaled to 0",
      async () => {
        const now = await otherCoreDnsReplicas(other);
        return { satisfied: now === 0, value: `${now} replica(s)` };
      },
      { timeoutMs: 240_000, intervalMs: 250 },
    ).catch((error: unknown) => error),
  ]);
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`the chaos run on the other cluster took ${seconds.toFixed(1)} s`);
  assert.equal(run.code, 0, `output tail:\n${run.output.slice(-4000)}`);
  assert.ok(!(down instanceof Error), String(down));
  assert.match(run.output, /taking over the stale chaos lease of elsewhere pid 4242 run other/);
  assert.match(run.output, /1\/1 nodes Ready .*node chaos yes/);
  const outcomes = readScenarioOutcomes(join(dir, "chaos", "cucumber-messages.ndjson"));
  assert.deepEqual(
    outcomes.map((o) => `${o.name}: ${o.status}`),
    ["CoreDNS is down on the run's own cluster, and back: PASSED"],
  );
  assert.equal(await otherCoreDnsReplicas(other), replicas, "the other cluster's CoreDNS is back");
  // Released once the faults were undone.
  const lease = await other.objects
    .read({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: chaosLeaseName, namespace: chaosLeaseNamespace },
    })
    .catch((error: unknown) => apiStatus(error));
  assert.equal(lease, 404, "the chaos lease is released");
  assert.deepEqual(await kubequakeState(), before, "the kubequake cluster is untouched");
});
