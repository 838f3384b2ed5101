import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeNameOnThisCluster, nodeNamesOnThisCluster } from "../../support/nodes/names.ts";

test("a kind node name of the default cluster means the same node of a variant's cluster", () => {
  assert.equal(nodeNameOnThisCluster("kubequake-worker2", "kubequake"), "kubequake-worker2");
  assert.equal(nodeNameOnThisCluster("kubequake-worker2", "kubequake-nftables"), "kubequake-nftables-worker2");
  assert.equal(
    nodeNameOnThisCluster("kubequake-control-plane", "kubequake-nftables"),
    "kubequake-nftables-control-plane",
  );
  // Names that are not the default cluster's nodes are the user's own: left alone.
  assert.equal(nodeNameOnThisCluster("gke-pool-1-abc", "kubequake-nftables"), "gke-pool-1-abc");
  assert.equal(nodeNameOnThisCluster("kubequake-workers", "kubequake-nftables"), "kubequake-workers");
});

test("in a manifest, only whole kind node names change", () => {
  const manifest = [
    "spec: { nodeName: kubequake-worker2 }",
    "nodeSelector: { kubernetes.io/hostname: kubequake-worker }",
    "metadata: { name: kubequake-worker-probe }",
    "image: kubequake.local/demo:current",
  ].join("\n");
  assert.equal(
    nodeNamesOnThisCluster(manifest, "kubequake-nftables"),
    [
      "spec: { nodeName: kubequake-nftables-worker2 }",
      "nodeSelector: { kubernetes.io/hostname: kubequake-nftables-worker }",
      "metadata: { name: kubequake-worker-probe }",
      "image: kubequake.local/demo:current",
    ].join("\n"),
  );
  assert.equal(nodeNamesOnThisCluster(manifest, "kubequake"), manifest);
});
