import assert from "node:assert/strict";
import { test } from "node:test";
import { filtersForAddresses } from "../../support/chaos/network-faults.ts";

test("a packet drop goes into the packet filter of each family the pod has an address of", () => {
  assert.deepEqual(filtersForAddresses(["10.244.1.5"]), ["iptables"]);
  assert.deepEqual(filtersForAddresses(["fd00:10:244:1::5"]), ["ip6tables"]);
  assert.deepEqual(filtersForAddresses(["10.244.1.5", "fd00:10:244:1::5"]), ["iptables", "ip6tables"]);
  // A pod whose addresses are not known yet: IPv4, as before any IPv6 cluster existed.
  assert.deepEqual(filtersForAddresses([]), ["iptables"]);
});
