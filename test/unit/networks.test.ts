import assert from "node:assert/strict";
import { test } from "node:test";
import { ipInCidr, poolCidrs } from "../../support/kube/networks.ts";
import { ipv4InCidr } from "../../tooling/cluster-build/seal.ts";

test("a load-balancer pool range becomes the fewest CIDRs covering exactly it", () => {
  const cidrs = poolCidrs("172.18.255.200-172.18.255.250");
  assert.deepEqual(cidrs, [
    "172.18.255.200/29",
    "172.18.255.208/28",
    "172.18.255.224/28",
    "172.18.255.240/29",
    "172.18.255.248/31",
    "172.18.255.250/32",
  ]);
  const inside = (ip: string) => cidrs.some((cidr) => ipv4InCidr(ip, cidr));
  assert.ok(inside("172.18.255.200") && inside("172.18.255.225") && inside("172.18.255.250"));
  assert.ok(!inside("172.18.255.199") && !inside("172.18.255.251"), "nothing outside the pool");
});

test("a CIDR entry stays as it is; a single address, a reversed or mixed-family range is handled without widening", () => {
  assert.deepEqual(poolCidrs("192.168.10.0/24"), ["192.168.10.0/24"]);
  assert.deepEqual(poolCidrs("10.0.0.7-10.0.0.7"), ["10.0.0.7/32"]);
  assert.deepEqual(poolCidrs("10.0.0.9-10.0.0.1"), []);
  assert.deepEqual(poolCidrs("10.0.0.1-fc00::9"), []);
});

test("an IPv6 pool range (an IPv6-only cluster's) becomes the fewest IPv6 CIDRs covering exactly it", () => {
  const cidrs = poolCidrs("fc00:6b71:6475:616c:ffff:ffff:ffff:fd08-fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a");
  assert.deepEqual(cidrs, [
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd08/125",
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd10/124",
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd20/124",
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd30/125",
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd38/127",
    "fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a/128",
  ]);
  const inside = (ip: string) => cidrs.some((cidr) => ipInCidr(ip, cidr));
  assert.ok(inside("fc00:6b71:6475:616c:ffff:ffff:ffff:fd08") && inside("fc00:6b71:6475:616c:ffff:ffff:ffff:fd3a"));
  assert.ok(!inside("fc00:6b71:6475:616c:ffff:ffff:ffff:fd07") && !inside("fc00:6b71:6475:616c:ffff:ffff:ffff:fd3b"));
});
