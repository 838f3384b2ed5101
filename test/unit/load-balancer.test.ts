import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Service } from "@kubernetes/client-node";
import { inRange, typeFieldProblems } from "../../support/outside/load-balancer.ts";

const service = (spec: V1Service["spec"], ingress: string[] = []): V1Service => ({
  spec,
  status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
});
const port = { port: 80, targetPort: 8080 };

test("each type's documented fields", () => {
  assert.deepEqual(
    typeFieldProblems(service({ type: "ClusterIP", clusterIP: "10.96.0.10", ports: [port] }), "ClusterIP"),
    [],
  );
  const nodePort = service({
    type: "NodePort",
    clusterIP: "10.96.0.10",
    externalTrafficPolicy: "Cluster",
    ports: [{ ...port, nodePort: 30080 }],
  });
  assert.deepEqual(typeFieldProblems(nodePort, "NodePort", { clusterIP: "10.96.0.10" }), []);
  const lb = service(
    {
      type: "LoadBalancer",
      clusterIP: "10.96.0.10",
      externalTrafficPolicy: "Cluster",
      allocateLoadBalancerNodePorts: true,
      ports: [{ ...port, nodePort: 30080 }],
    },
    ["172.18.255.200"],
  );
  assert.deepEqual(typeFieldProblems(lb, "LoadBalancer", { clusterIP: "10.96.0.10", nodePort: 30080 }), []);
});

test("fields left behind, missing or changed are named", () => {
  const leftovers = service(
    {
      type: "ClusterIP",
      clusterIP: "10.96.0.11",
      externalTrafficPolicy: "Cluster",
      allocateLoadBalancerNodePorts: true,
      ports: [{ ...port, nodePort: 30080 }],
    },
    ["172.18.255.200"],
  );
  const problems = typeFieldProblems(leftovers, "ClusterIP", { clusterIP: "10.96.0.10" });
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.match(problems.join("\n"), /clusterIP changed from 10\.96\.0\.10 to 10\.96\.0\.11/);
  assert.match(problems.join("\n"), /nodePort is still 30080, expected cleared/);
  assert.match(problems.join("\n"), /ingress still lists 172\.18\.255\.200/);
  const noAddress = service({ type: "LoadBalancer", clusterIP: "10.96.0.10", ports: [{ ...port, nodePort: 31000 }] });
  const lbProblems = typeFieldProblems(noAddress, "LoadBalancer", { nodePort: 30080 }).join("\n");
  assert.match(lbProblems, /nodePort changed from 30080 to 31000/);
  assert.match(lbProblems, /externalTrafficPolicy is not set/);
  assert.match(lbProblems, /ingress is empty/);
  assert.deepEqual(
    typeFieldProblems(service({ type: "NodePort", clusterIP: "10.96.0.10", ports: [port] }), "ClusterIP"),
    ["spec.type is NodePort, expected ClusterIP"],
  );
});

test("pool ranges: dashed and CIDR", () => {
  assert.ok(inRange("172.18.255.200", "172.18.255.200-172.18.255.250"));
  assert.ok(!inRange("172.18.255.251", "172.18.255.200-172.18.255.250"));
  assert.ok(inRange("10.1.2.3", "10.1.2.0/24"));
  assert.ok(!inRange("10.1.3.3", "10.1.2.0/24"));
  assert.ok(!inRange("example.test", "10.1.2.0/24"));
});

test("pool ranges of IPv6 (an IPv6-only cluster's pool), never matching across families", () => {
  const pool = "fc00:6b71:6475:616c:ffff:ffff:ffff:fd08-fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a";
  assert.ok(inRange("fc00:6b71:6475:616c:ffff:ffff:ffff:fd08", pool));
  assert.ok(inRange("fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a", pool));
  assert.ok(!inRange("fc00:6b71:6475:616c:ffff:ffff:ffff:fd3b", pool));
  assert.ok(inRange("fd00::5", "fd00::/64"));
  assert.ok(!inRange("10.1.2.3", pool));
  assert.ok(!inRange("::a01:203", "10.1.2.0/24"));
});
