// A dual-stack cluster (`--ip-family dual`): its own Docker network with an IPv6 subnet, sealed in both families
// before a node boots; nodes and pods with an address of each family; the dual-stack feature green there, and a
// check of the v1 Endpoints' family that must fail does. Then `cluster down` deletes it, removes its network and
// gives the host's IPv6 forwarding back (Docker turns it on for a network with IPv6), and the IPv4 clusters' seal
// stays. Upstream's own dual-stack tests (e2e.test's [Feature:IPv6DualStack], `kubequake conformance --dual-stack`)
// pass there too. The full suite on dual-stack is the nightly matrix.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { connectKube } from "../../support/kube/client.ts";
import { ScenarioNamespace } from "../../support/kube/namespace.ts";
import { waitForReadyPods } from "../../support/kube/pods.ts";
import { probeHttp } from "../../support/kube/prober.ts";
import { proberPod } from "../../support/kube/workloads.ts";
import { runCommand } from "../../support/process/command.ts";
import {
  dualStackNetworkIPv6Subnet,
  dualStackNetworksFile,
  readSeal,
  sealTestDestinationsFile as sealDestinations,
} from "../../tooling/cluster-build/seal.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { otherClustersOnNetwork, runNode } from "./run-cucumber.ts";

const out = "reports/harness/dual-stack";
const dual = { KUBEQUAKE_IP_FAMILY: "dual" };
const forwardingFile = "/proc/sys/net/ipv6/conf/all/forwarding";
const forwardingBefore = readFileSync(forwardingFile, "utf8").trim();
const dualNetworkExistedBefore = (await inspectNetwork("kind-dual")) !== undefined;

async function inspectNetwork(name: string) {
  const result = await runCommand("docker", ["network", "inspect", name], { allowFailure: true, timeoutMs: 30_000 });
  if (result.exitCode !== 0) return undefined;
  return (
    JSON.parse(result.stdout) as { Id: string; EnableIPv6: boolean; IPAM: { Config: { Subnet: string }[] } }[]
  )[0];
}

after(async () => {
  // Another cluster on kind-dual (an IPv6-only one a user made) keeps the network and its seal: say so, check no more.
  const others = await otherClustersOnNetwork("kind-dual", "kubequake-dual");
  // Its 3 nodes would take cores from every test after this one.
  const down = await runNode(["bin/kubequake.js", "cluster", "down"], dual);
  assert.equal(down.code, 0, down.output);
  if (others.length > 0) {
    assert.match(down.output, /the seal stays: the kind network still serves/);
    return;
  }
  assert.match(down.output, /removed the seal \(6 rules: iptables DOCKER-USER, ip6tables FORWARD\)/);
  assert.match(down.output, /removed the network "kind-dual"/);
  assert.equal(await inspectNetwork("kind-dual"), undefined, "the dual-stack network is gone");
  // Docker turned IPv6 forwarding on for the network; kubequake turns it back off if it was off before it made one.
  if (!dualNetworkExistedBefore)
    assert.equal(readFileSync(forwardingFile, "utf8").trim(), forwardingBefore, "the host's IPv6 forwarding");
  const ipv4Seal = await readSeal();
  assert.ok(ipv4Seal.installed, "the IPv4 kind network stays sealed for the clusters on it");
});

test("a dual-stack cluster on its own sealed network runs the dual-stack feature", async () => {
  const run = await runNode(["bin/kubequake.js", "run", "features/routing/dual-stack.feature"], {
    ...dual,
    KUBEQUAKE_REPORTS: out,
  });
  assert.equal(run.code, 0, `output tail:\n${run.output.slice(-4000)}`);
  assert.match(
    run.output,
    /creating "kubequake-dual" \(1 control plane, 2 workers, kube-proxy iptables, dual-stack|"kubequake-dual" reused/,
  );
  const outcomes = readScenarioOutcomes(join(out, "cucumber-messages.ndjson"));
  assert.equal(outcomes.length, 4);
  assert.deepEqual(
    outcomes.filter((o) => o.status !== "PASSED").map((o) => `${o.name}: ${o.status} ${o.message}`),
    [],
  );

  // The network has both families, and the seal is in both tables before anything runs on it.
  const network = await inspectNetwork("kind-dual");
  assert.ok(network?.EnableIPv6, "kind-dual has IPv6");
  assert.ok(network.IPAM.Config.some((c) => c.Subnet === dualStackNetworkIPv6Subnet));
  const bridge = `br-${network.Id.slice(0, 12)}`;
  const ip6 = await runCommand("ip6tables", ["-w", "10", "-S", "FORWARD"], { timeoutMs: 30_000 });
  const sealed = ip6.stdout.split("\n").filter((l) => l.includes(`-i ${bridge} `) && l.includes("kubequake-seal"));
  assert.equal(sealed.length, 3, `ip6tables FORWARD seal rules for ${bridge}:\n${ip6.stdout}`);
  assert.match(sealed.join("\n"), /-p tcp .*REJECT --reject-with tcp-reset/);

  // Every node has an InternalIP of each family.
  const kube = await connectKube(join(homedir(), ".kube", "kubequake-dual.config"));
  const nodes = await kube.core.listNode();
  for (const node of nodes.items) {
    const ips = (node.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address);
    assert.deepEqual(
      ips.map((ip) => (ip.includes(":") ? "IPv6" : "IPv4")),
      ["IPv4", "IPv6"],
      `${node.metadata?.name}: ${ips.join(", ")}`,
    );
  }
});

/** The packets the IPv6 seal's REJECT rules of a bridge have stopped (ip6tables' exact counters). */
async function ipv6Rejected(bridge: string): Promise<number> {
  const listing = await runCommand("ip6tables", ["-w", "10", "-L", "FORWARD", "-v", "-n", "-x"], { timeoutMs: 30_000 });
  return listing.stdout
    .split("\n")
    .filter((line) => line.includes("REJECT") && line.includes(bridge) && line.includes("kubequake-seal"))
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
}

test("a dual-stack check that must fail does fail, with the expected message", async () => {
  const fixtures = `${out}-fixtures`;
  const run = await runNode(["bin/kubequake.js", "run", "test/fixtures/dual-stack-failing", "--no-cluster-up"], {
    ...dual,
    KUBEQUAKE_REPORTS: fixtures,
  });
  assert.equal(run.code, 1, `the fixture must fail; output tail:\n${run.output.slice(-3000)}`);
  const outcomes = readScenarioOutcomes(join(fixtures, "cucumber-messages.ndjson"));
  assert.deepEqual(
    outcomes.map((o) => [o.name, o.status]),
    [["The v1 Endpoints of an IPv6-first Service named as IPv4", "FAILED"]],
  );
  assert.match(
    outcomes[0]!.message,
    /timed out after 5\.\d s waiting until the Endpoints of Service six-first list 2 ready address\(es\), all IPv4; last observed: 2 ready address\(es\): [0-9a-f:]+ \(IPv6\), [0-9a-f:]+ \(IPv6\); 2 not IPv4/,
  );
});

test("a pod that sends IPv6 off the machine is refused at the host, at once", async () => {
  // 2001:db8::/32 is for documentation (RFC 3849): nothing serves it. The host has an IPv6 default route, so without
  // the seal this packet would leave the machine; it is sent only once the seal's rules are confirmed in place.
  const network = await inspectNetwork("kind-dual");
  assert.ok(network, "the dual-stack network exists (the test before made it)");
  const bridge = `br-${network.Id.slice(0, 12)}`;
  const rules = await runCommand("ip6tables", ["-w", "10", "-S", "FORWARD"], { timeoutMs: 30_000 });
  assert.match(rules.stdout, new RegExp(`-i ${bridge} ! -o ${bridge} -p tcp .*kubequake-seal -j REJECT`));
  const kube = await connectKube(join(homedir(), ".kube", "kubequake-dual.config"));
  // For npm test's account of every packet the seal stopped: this probe's destination, and this cluster's ranges
  // (packets to an IPv6 ClusterIP kube-proxy has not programmed yet reach the seal too; the cluster is gone by then).
  mkdirSync(dirname(dualStackNetworksFile), { recursive: true });
  const kubeadm = await kube.core.readNamespacedConfigMap({ name: "kubeadm-config", namespace: "kube-system" });
  const { networking } = parse(kubeadm.data?.ClusterConfiguration ?? "") as {
    networking: { podSubnet: string; serviceSubnet: string };
  };
  writeFileSync(
    dualStackNetworksFile,
    JSON.stringify({ podCidrs: networking.podSubnet.split(","), serviceCidrs: networking.serviceSubnet.split(",") }),
  );
  const destinations = existsSync(sealDestinations)
    ? (JSON.parse(readFileSync(sealDestinations, "utf8")) as string[])
    : [];
  writeFileSync(sealDestinations, JSON.stringify([...destinations, "2001:db8::1"]));
  const namespace = await ScenarioNamespace.create(kube, `t${Date.now().toString(36)}`, "e2e", "ipv6-seal");
  try {
    // A client whose guard allows every address stands for any user workload, which has no guard at all.
    await namespace.apply(proberPod("unguarded", demoImageName(loadVersions()), "0.0.0.0/0,::/0"));
    await waitForReadyPods(kube, namespace.name, { app: "kubequake-prober" }, 1, 90_000);
    const before = await ipv6Rejected(bridge);
    const probe = await probeHttp(kube, namespace.name, "unguarded", {
      url: "http://[2001:db8::1]/",
      count: 1,
      timeoutMs: 3000,
    });
    const stopped = (await ipv6Rejected(bridge)) - before;
    const [result] = probe.results;
    assert.equal(result?.errorKind, "refused", `outcome: ${result?.error}`);
    assert.ok(result.durationMs < 1000, `refused in ${result.durationMs.toFixed(0)} ms, not a timeout`);
    assert.ok(stopped >= 1, `the IPv6 seal's counter rose by ${stopped}`);
  } finally {
    await namespace.cleanup();
  }
});

test("upstream's dual-stack tests pass on the dual-stack cluster (kubequake conformance --dual-stack)", async () => {
  // The IPv4 cluster refuses the set before touching anything: it cannot pass it.
  const refused = await runNode(["bin/kubequake.js", "conformance", "--dual-stack", "--no-cluster-up"], {
    KUBEQUAKE_IP_FAMILY: "ipv4",
  });
  assert.equal(refused.code, 2, refused.output);
  assert.match(refused.output, /--dual-stack tests a dual-stack cluster, but this run's cluster "[^"]+" is ipv4 only/);
  assert.match(refused.output, /add --ip-family dual/);

  const run = await runNode(["bin/kubequake.js", "conformance", "--dual-stack", "--no-cluster-up"], {
    ...dual,
    KUBEQUAKE_REPORTS: out,
  });
  assert.equal(run.code, 0, `output tail:\n${run.output.slice(-4000)}`);
  // Each of the 22 by name in the log of this run; every one passed, none skipped or missing.
  assert.match(run.output, /\[Feature:IPv6DualStack\] \(no SCTP\): 22 passed, 0 failed, 0 skipped in \d+ s/);
  assert.ok(existsSync(join(out, "junit", "conformance-dual-stack.xml")), "the JUnit summary for CI's reports");
});
