import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { sortPodsForDrain } from "../../support/chaos/node-faults.ts";
import { clientInTheWay } from "../../support/scheduling/client-placement.ts";

function pod(
  name: string,
  extra: { owner?: string; mirror?: boolean; phase?: string; deleting?: boolean } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: "ns",
      ...(extra.owner
        ? { ownerReferences: [{ apiVersion: "v1", kind: extra.owner, name: "o", uid: "u", controller: true }] }
        : {}),
      ...(extra.mirror ? { annotations: { "kubernetes.io/config.mirror": "x" } } : {}),
      ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status: { phase: extra.phase ?? "Running" },
  };
}

test("a drain evicts pods a controller recreates, and leaves DaemonSet, static, finished and bare pods", () => {
  const { evictable, kept } = sortPodsForDrain([
    pod("web-1", { owner: "ReplicaSet" }),
    pod("db-0", { owner: "StatefulSet" }),
    pod("kube-proxy-x", { owner: "DaemonSet" }),
    pod("etcd", { mirror: true, owner: "Node" }),
    pod("done", { owner: "Job", phase: "Succeeded" }),
    pod("going", { owner: "ReplicaSet", deleting: true }),
    pod("client-0"),
  ]);
  assert.deepEqual(
    evictable.map((p) => p.metadata?.name),
    ["web-1", "db-0"],
  );
  assert.deepEqual(kept, ["ns/client-0"]);
});

const nodes = ["kubequake-control-plane", "kubequake-worker", "kubequake-worker2"];

test("a fault on the node of the scenario's own client is refused, naming the pod, its node and a spared node", () => {
  const refusal = clientInTheWay(
    "node kubequake-worker stopped",
    ["kubequake-worker"],
    [
      { pod: "client-0", node: "kubequake-worker2" },
      { pod: "client-1", node: "kubequake-worker" },
    ],
    nodes,
  );
  assert.ok(refusal);
  assert.match(
    refusal.message,
    /^"node kubequake-worker stopped" would break the scenario's own client: the steady traffic's client pod client-1 runs on kubequake-worker, so its requests would fail for the fault's sake, not the Service's\n {2}what to do: place the client on a node the fault spares before it starts, e\.g\. .* from a client pod on node "kubequake-control-plane"/,
  );
});

test("a fault on nodes where no client of the scenario runs goes ahead", () => {
  const clients = [{ pod: "client-0", node: "kubequake-worker2" }];
  assert.equal(clientInTheWay("node kubequake-worker stopped", ["kubequake-worker"], clients, nodes), undefined);
  assert.equal(clientInTheWay("anything", [], clients, nodes), undefined);
});
