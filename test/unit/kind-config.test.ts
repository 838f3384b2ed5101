import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { clusterName, workerCount } from "../../support/cluster/kind.ts";
import { kindConfig } from "../../tooling/cluster-build/kind-cli.ts";
import type { PinnedVersions } from "../../tooling/cluster-build/versions.ts";

const versions = { COREDNS_VERSION: "v1.12.1", ETCD_IMAGE_TAG: "3.6.4-0" } as unknown as PinnedVersions;

test("kindConfig: one control plane and the workers on the node image, iptables, the containerd patch", () => {
  const config = parse(kindConfig("kindest/node:test", versions, false));
  assert.equal(config.kind, "Cluster");
  assert.equal(config.apiVersion, "kind.x-k8s.io/v1alpha4");
  assert.equal(config.name, clusterName);
  assert.deepEqual(config.networking, { kubeProxyMode: "iptables" });
  assert.deepEqual(
    config.nodes.map((n: { role: string; image: string }) => `${n.role} ${n.image}`),
    ["control-plane kindest/node:test", ...Array(workerCount).fill("worker kindest/node:test")],
  );
  assert.match(
    config.containerdConfigPatches[0],
    /^\[plugins\."io\.containerd\.grpc\.v1\.cri"\]\n\s+restrict_oom_score_adj = true$/,
  );
  assert.equal(config.kubeadmConfigPatches, undefined);
});

test("kindConfig: offline-built nodes get kubeadm patches pinning CoreDNS and etcd tags", () => {
  const config = parse(kindConfig("kindest/node:test", versions, true));
  const patch = parse(config.kubeadmConfigPatches[0]);
  assert.deepEqual(patch, {
    kind: "ClusterConfiguration",
    dns: { imageTag: "v1.12.1" },
    etcd: { local: { imageTag: "3.6.4-0" } },
  });
});
