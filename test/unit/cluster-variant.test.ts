import assert from "node:assert/strict";
import { test } from "node:test";
import {
  networkOfCluster,
  parseIpFamily,
  parseProxyMode,
  variantClusterName,
  variantIpFamily,
  variantNetworkName,
  variantOfCluster,
  variantPoolSlot,
  variantProxyMode,
} from "../../support/cluster/variant.ts";
import { UserError } from "../../support/errors/user-error.ts";

test("each kube-proxy mode is its own cluster; the default keeps the name kubequake", () => {
  assert.equal(variantClusterName("iptables"), "kubequake");
  assert.equal(variantClusterName("nftables"), "kubequake-nftables");
  assert.notEqual(variantPoolSlot("iptables"), variantPoolSlot("nftables"));
});

test("the mode comes from KUBEQUAKE_PROXY_MODE, iptables when unset; a mode not built is refused, saying which are", () => {
  assert.equal(variantProxyMode({}), "iptables");
  assert.equal(variantProxyMode({ KUBEQUAKE_PROXY_MODE: "nftables" }), "nftables");
  assert.throws(
    () => parseProxyMode("ipvs", "--proxy-mode"),
    (error: unknown) =>
      error instanceof UserError &&
      /--proxy-mode: kube-proxy mode "ipvs" is not one kubequake builds \(expected iptables or nftables\)/.test(
        error.message,
      ) &&
      /no IPVS/.test(error.fix),
  );
});

test("a dual-stack variant is its own cluster on its own Docker network; IPv4 clusters keep the kind network", () => {
  assert.equal(variantClusterName("iptables", "dual"), "kubequake-dual");
  assert.equal(variantClusterName("nftables", "dual"), "kubequake-nftables-dual");
  assert.equal(variantClusterName("nftables", "ipv4"), "kubequake-nftables");
  assert.equal(variantNetworkName("ipv4"), "kind");
  assert.equal(variantNetworkName("dual"), "kind-dual");
  assert.equal(networkOfCluster("kubequake-nftables-dual"), "kind-dual");
  assert.equal(networkOfCluster("kubequake-nftables"), "kind");
  assert.equal(variantIpFamily({}), "ipv4");
  assert.equal(variantIpFamily({ KUBEQUAKE_IP_FAMILY: "dual" }), "dual");
  assert.throws(
    () => parseIpFamily("v6", "--ip-family"),
    (error: unknown) =>
      error instanceof UserError &&
      /--ip-family: IP family "v6" is not one kubequake builds \(expected ipv4, dual, ipv6\)/.test(error.message) &&
      error.exitCode === 2,
  );
});

test("an IPv6-only variant is its own cluster on the dual-stack network, with its own LoadBalancer pool slots", () => {
  assert.equal(variantClusterName("iptables", "ipv6"), "kubequake-ipv6");
  assert.equal(variantClusterName("nftables", "ipv6"), "kubequake-nftables-ipv6");
  assert.equal(variantNetworkName("ipv6"), "kind-dual");
  assert.equal(networkOfCluster("kubequake-nftables-ipv6"), "kind-dual");
  assert.equal(networkOfCluster("someone-elses-cluster"), "kind");
  const slots = ["iptables", "nftables"].flatMap((mode) =>
    ["dual", "ipv6"].map((family) => variantPoolSlot(mode as "iptables", family as "ipv6")),
  );
  assert.equal(new Set(slots).size, 4, `slots on kind-dual: ${slots.join(", ")}`);
});

test("a variant cluster's name gives its mode and family back; any other cluster is no variant", () => {
  for (const mode of ["iptables", "nftables"] as const) {
    for (const family of ["ipv4", "dual", "ipv6"] as const) {
      assert.deepEqual(variantOfCluster(variantClusterName(mode, family)), { mode, family });
    }
  }
  assert.equal(variantOfCluster("kubequake-other"), undefined);
  assert.equal(variantOfCluster("kind"), undefined);
});
