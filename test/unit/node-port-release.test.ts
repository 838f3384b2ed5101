import assert from "node:assert/strict";
import { test } from "node:test";
import { heldNodePorts, nodePortProbe, saysPortAllocated } from "../../support/objects/node-port-release.ts";

test("a Service holds each distinct NodePort once, its healthCheckNodePort included", () => {
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: {
      type: "LoadBalancer",
      healthCheckNodePort: 32000,
      ports: [
        { name: "tcp", port: 80, protocol: "TCP", nodePort: 31920 },
        { name: "udp", port: 80, protocol: "UDP", nodePort: 31920 },
        { name: "other", port: 81, nodePort: 31921 },
      ],
    },
  };
  assert.deepEqual(heldNodePorts(service), [31920, 31921, 32000]);
});

test("a ClusterIP Service, another kind or a missing object holds no NodePort", () => {
  const clusterIp = { apiVersion: "v1", kind: "Service", spec: { ports: [{ port: 80 }] } };
  assert.deepEqual(heldNodePorts(clusterIp), []);
  assert.deepEqual(heldNodePorts({ apiVersion: "v1", kind: "ConfigMap" }), []);
  assert.deepEqual(heldNodePorts(undefined), []);
});

test("the dry-run probe asks for exactly those NodePorts, on distinct Service ports, under a generated name", () => {
  const probe = nodePortProbe("kq-ns", [31917, 31918]);
  assert.equal(probe.metadata?.generateName, "kq-nodeport-probe-");
  assert.equal(probe.metadata?.namespace, "kq-ns");
  assert.deepEqual(
    probe.spec?.ports?.map((p) => [p.port, p.nodePort]),
    [
      [1, 31917],
      [2, 31918],
    ],
  );
});

test("only the allocator's refusal means 'still taken'; any other refusal is an error to report", () => {
  const allocated = {
    code: 422,
    body: JSON.stringify({
      message:
        'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 31917: provided port is already allocated',
    }),
  };
  assert.equal(saysPortAllocated(allocated), true);
  const outOfRange = { code: 422, body: JSON.stringify({ message: "provided port is not in the valid range" }) };
  assert.equal(saysPortAllocated(outOfRange), false);
});
