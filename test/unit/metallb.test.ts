import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import { ipv6PoolRange, poolRange, renderManifest } from "../../tooling/cluster-build/metallb.ts";

test("the pool is the top of the kind network, below its last 5 addresses", () => {
  assert.deepEqual(poolRange("172.18.0.0/16", ["172.18.0.2", "172.18.0.3"]), {
    first: "172.18.255.200",
    last: "172.18.255.250",
  });
  assert.deepEqual(poolRange("10.89.0.0/24"), { first: "10.89.0.200", last: "10.89.0.250" });
  assert.deepEqual(poolRange("192.168.16.0/20"), { first: "192.168.31.200", last: "192.168.31.250" });
});

test("a second cluster variant on the same network gets its own 64 addresses below the first one's", () => {
  assert.deepEqual(poolRange("172.18.0.0/16", [], 1), { first: "172.18.255.136", last: "172.18.255.186" });
  assert.throws(() => poolRange("172.18.0.0/16", ["172.18.255.140"], 1), /overlaps addresses in use/);
});

test("a subnet too small, or an address in use inside the pool, is the user's to fix", () => {
  assert.throws(() => poolRange("172.18.0.0/25"), UserError);
  assert.throws(() => poolRange("172.18.0.0/16", ["172.18.255.210"]), /overlaps addresses in use.*172\.18\.255\.210/);
});

test("upstream's manifest runs the local image, one binary per container", () => {
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: { name: controller }
spec:
  template:
    spec:
      containers: [{ name: controller, image: quay.io/metallb/controller:v0.16.2, args: [--port=9120] }]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: speaker }
spec:
  template:
    spec:
      containers: [{ name: speaker, image: quay.io/metallb/speaker:v0.16.2 }]
---
apiVersion: v1
kind: Namespace
metadata: { name: metallb-system }
`;
  const objects = renderManifest(yaml, "kubequake.local/metallb:x");
  assert.equal(objects.length, 3);
  const container = (i: number) =>
    (objects[i] as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec.template.spec
      .containers[0];
  assert.deepEqual(container(0), {
    name: "controller",
    image: "kubequake.local/metallb:x",
    args: ["--port=9120"],
    command: ["/controller"],
    imagePullPolicy: "Never",
  });
  assert.deepEqual(container(1)?.command, ["/speaker"]);
});

test("an IPv6-only cluster's pool sits at the top of the network's /64, one slot per variant; another subnet is refused", () => {
  assert.deepEqual(ipv6PoolRange("fc00:6b71:6475:616c::/64", 2), {
    first: "fc00:6b71:6475:616c:ffff:ffff:ffff:fd08",
    last: "fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a",
  });
  assert.equal(ipv6PoolRange("fc00:6b71:6475:616c::/64", 3).first, "fc00:6b71:6475:616c:ffff:ffff:ffff:fc08");
  assert.throws(() => ipv6PoolRange("fc00::/48", 2), /expects a \/64 written as "a:b:c:d::\/64"/);
});
