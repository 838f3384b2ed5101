// An IPv6-only cluster (`--ip-family ipv6`, "kubequake-ipv6"): its nodes join the dual-stack clusters' Docker network
// (kind-dual, sealed in both families) and every node, pod and Service address is IPv6. Routing, EndpointSlices,
// headless DNS (AAAA), NodePorts from the host and from an outside container, and a MetalLB address from the IPv6
// pool pass there; a feature that needs IPv4 is skipped, saying why. Then `cluster down` deletes the cluster and the
// network. The full suite on IPv6-only is `kubequake matrix --ip-families ipv6`.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { connectKube } from "../../support/kube/client.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { readSkipReasons } from "../../tooling/reports/skips.ts";
import { otherClustersOnNetwork, runNode } from "./run-cucumber.ts";

const out = "reports/harness/ipv6-only";
const ipv6 = { KUBEQUAKE_IP_FAMILY: "ipv6" };
const smoke = [
  "features/routing/clusterip-routing.feature",
  "features/endpoints/endpoint-slices.feature",
  "features/dns/headless-dns.feature",
  "features/outside/node-port.feature",
  "features/outside/load-balancer.feature",
  "features/outside/external-name.feature",
];

after(async () => {
  // Its 3 nodes would take cores from every test after this one.
  const others = await otherClustersOnNetwork("kind-dual", "kubequake-ipv6");
  const down = await runNode(["bin/kubequake.js", "cluster", "down"], ipv6);
  assert.equal(down.code, 0, down.output);
  if (others.length === 0) assert.match(down.output, /removed the network "kind-dual"/);
  else assert.match(down.output, /the seal stays: the kind network still serves/);
});

test("an IPv6-only cluster routes, resolves and serves NodePorts and load-balancer addresses over IPv6", async () => {
  const run = await runNode(["bin/kubequake.js", "run", ...smoke], { ...ipv6, KUBEQUAKE_REPORTS: out });
  assert.equal(run.code, 0, `output tail:\n${run.output.slice(-4000)}`);
  assert.match(
    run.output,
    /creating "kubequake-ipv6" \(1 control plane, 2 workers, kube-proxy iptables, IPv6 only|"kubequake-ipv6" reused/,
  );
  const outcomes = readScenarioOutcomes(join(out, "cucumber-messages.ndjson"));
  const failed = outcomes.filter((o) => o.status !== "PASSED" && o.status !== "SKIPPED");
  assert.deepEqual(
    failed.map((o) => `${o.name}: ${o.status} ${o.message}`),
    [],
  );
  // The ExternalName feature's outside zone publishes IPv4 only: skipped, with the cluster's ranges as the reason.
  const skipped = outcomes.filter((o) => o.status === "SKIPPED");
  assert.ok(skipped.length >= 1, "the @needs:ipv4 feature is skipped");
  assert.ok(
    skipped.every((o) => o.uri === "features/outside/external-name.feature"),
    `only the ExternalName feature is skipped: ${skipped.map((o) => o.uri).join(", ")}`,
  );
  const reasons = readSkipReasons(join(out, "cucumber-messages.ndjson"));
  assert.equal(reasons.length, skipped.length);
  for (const { why } of reasons) {
    assert.match(
      why,
      /@needs:ipv4: needs IPv4 Services, the cluster \(context "kind-kubequake-ipv6"\) has the Service range\(s\) fd00:10:96::\/112 only \(IPv6 only\)/,
    );
  }
  assert.ok(outcomes.filter((o) => o.status === "PASSED").length >= 15, `${outcomes.length} scenarios ran`);

  // Every node's InternalIP, and the kubernetes Service's ClusterIP, is IPv6.
  const kube = await connectKube(join(homedir(), ".kube", "kubequake-ipv6.config"));
  for (const node of (await kube.core.listNode()).items) {
    const ips = (node.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address);
    assert.ok(ips.length > 0 && ips.every((ip) => ip.includes(":")), `${node.metadata?.name}: ${ips.join(", ")}`);
  }
  const service = await kube.core.readNamespacedService({ name: "kubernetes", namespace: "default" });
  assert.deepEqual(service.spec?.ipFamilies, ["IPv6"]);
});
