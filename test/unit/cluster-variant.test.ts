import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseProxyMode,
  variantClusterName,
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
