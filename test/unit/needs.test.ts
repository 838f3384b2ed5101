import assert from "node:assert/strict";
import { test } from "node:test";
import { type Capabilities, missingNeeds, unknownNeeds } from "../../support/capabilities/needs.ts";

const oneNode: Capabilities = {
  context: "staging",
  ownCluster: false,
  kubernetesVersion: "v1.34.4",
  nodeNames: ["n1"],
  nodes: { total: 1, ready: 1, schedulable: 1 },
  zones: [],
  kubeProxy: "iptables",
  cni: "flannel",
  serviceCIDRs: ["10.96.0.0/16"],
  nodesReachable: { available: false, why: "node(s) n1 are not Docker containers on this machine" },
  nodeChaos: { available: false, why: 'the context "staging" is not allowlisted for chaos' },
};

test("a scenario without @needs tags runs anywhere", () => {
  assert.equal(missingNeeds(["@chaos", "@serial"], oneNode), undefined);
});

test("@needs:nodes>=N compares with the Ready nodes and says how many there are", () => {
  assert.equal(missingNeeds(["@needs:nodes>=1"], oneNode), undefined);
  assert.equal(
    missingNeeds(["@needs:nodes>=3"], oneNode),
    'skipped: @needs:nodes>=3: needs 3 Ready nodes, the cluster (context "staging") has 1',
  );
});

test("every unmet need is listed, with the capability's own reason", () => {
  const why = missingNeeds(["@needs:nodes>=3", "@needs:node-chaos", "@needs:loadbalancer"], oneNode) ?? "";
  assert.match(why, /^skipped: @needs:nodes>=3: .*; @needs:node-chaos: the context "staging" is not allowlisted/);
  assert.match(why, /@needs:loadbalancer: LoadBalancer support was not probed/);
  const withLb = { ...oneNode, loadBalancer: { available: true, why: "got 172.18.255.200" } };
  assert.doesNotMatch(missingNeeds(["@needs:loadbalancer"], withLb) ?? "", /loadbalancer/);
});

test("a misspelt @needs tag is found, not silently ignored", () => {
  assert.deepEqual(unknownNeeds(["@needs:nodes>=3", "@needs:nodes>3", "@needs:lb", "@serial"]), [
    "@needs:nodes>3",
    "@needs:lb",
  ]);
});

test("@needs:outside-clients needs nodes that are containers here, and says why not", () => {
  const remote = {
    ...oneNode,
    nodesReachable: { available: false, why: "the nodes are not Docker containers on this machine" },
  };
  assert.equal(
    missingNeeds(["@needs:outside-clients"], remote),
    "skipped: @needs:outside-clients: outside clients join the nodes' Docker network, but the nodes are not Docker containers on this machine",
  );
  assert.equal(
    missingNeeds(["@needs:outside-clients"], { ...oneNode, nodesReachable: { available: true, why: "" } }),
    undefined,
  );
  assert.deepEqual(unknownNeeds(["@needs:outside-clients"]), []);
});

test("@needs:proxy-mode=MODE compares with kube-proxy's mode and says how to get that mode", () => {
  assert.equal(missingNeeds(["@needs:proxy-mode=iptables"], oneNode), undefined);
  assert.equal(
    missingNeeds(["@needs:proxy-mode=nftables"], oneNode),
    'skipped: @needs:proxy-mode=nftables: needs kube-proxy in nftables mode, the cluster (context "staging") runs iptables (kubequake\'s own cluster in that mode: --proxy-mode nftables)',
  );
  assert.deepEqual(unknownNeeds(["@needs:proxy-mode=nftables", "@needs:proxy-mode"]), ["@needs:proxy-mode"]);
});

test("@needs:ipv6 asks for an IPv6 Service range and says where to get one", () => {
  assert.equal(
    missingNeeds(["@needs:ipv6"], oneNode),
    'skipped: @needs:ipv6: needs IPv6 Services, the cluster (context "staging") has the Service range(s) 10.96.0.0/16 (kubequake\'s own dual-stack cluster: --ip-family dual)',
  );
  assert.equal(
    missingNeeds(["@needs:ipv6"], { ...oneNode, serviceCIDRs: ["10.96.0.0/16", "fd00:10:96::/112"] }),
    undefined,
  );
  assert.deepEqual(unknownNeeds(["@needs:ipv6", "@needs:ipv4", "@needs:ipv5"]), ["@needs:ipv5"]);
});

test("@needs:ipv4 is met by IPv4 and dual-stack clusters and refused by an IPv6-only one, saying its ranges", () => {
  assert.equal(missingNeeds(["@needs:ipv4"], oneNode), undefined);
  assert.equal(
    missingNeeds(["@needs:ipv4"], { ...oneNode, serviceCIDRs: ["10.96.0.0/16", "fd00:10:96::/112"] }),
    undefined,
  );
  assert.equal(
    missingNeeds(["@needs:ipv4", "@needs:ipv6"], { ...oneNode, serviceCIDRs: ["fd00:10:96::/112"] }),
    'skipped: @needs:ipv4: needs IPv4 Services, the cluster (context "staging") has the Service range(s) fd00:10:96::/112 only (IPv6 only)',
  );
});
