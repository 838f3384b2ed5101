import assert from "node:assert/strict";
import { test } from "node:test";
import { withOutsideZone, withoutUpstream } from "../../tooling/cluster-build/coredns.ts";

const kubeadmCorefile = `.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
    }
    loop
}
`;

test("withoutUpstream removes kubeadm's forward block and keeps every other plugin", () => {
  const hermetic = withoutUpstream(kubeadmCorefile);
  assert.doesNotMatch(hermetic, /forward/);
  assert.doesNotMatch(hermetic, /max_concurrent/);
  for (const kept of [
    "kubernetes cluster.local",
    "ttl 30",
    "prometheus :9153",
    "cache 30 {",
    "disable success",
    "loop",
  ]) {
    assert.ok(hermetic.includes(kept), `keeps ${kept}`);
  }
});

test("withoutUpstream serves the cluster zones and answers every other name NXDOMAIN locally", () => {
  const hermetic = withoutUpstream(kubeadmCorefile);
  assert.match(hermetic, /^cluster\.local:53 in-addr\.arpa:53 ip6\.arpa:53 \{\n {4}errors/);
  assert.match(hermetic, /\n\.:53 \{\n {4}errors\n {4}template ANY ANY \{\n {7}rcode NXDOMAIN\n {4}\}\n\}\n$/);
});

test("withoutUpstream removes a one-line forward and leaves a hermetic Corefile unchanged", () => {
  assert.match(
    withoutUpstream(".:53 {\n    forward . 8.8.8.8\n    cache\n}\n"),
    /^cluster\.local:53 [^{]*\{\n {4}cache\n\}\n/,
  );
  const hermetic = withoutUpstream(kubeadmCorefile);
  assert.equal(withoutUpstream(hermetic), hermetic);
});

test("withOutsideZone serves the outside test zone before the catch-all block, once", () => {
  const hermetic = withOutsideZone(withoutUpstream(kubeadmCorefile));
  assert.match(hermetic, /\noutside\.test:53 \{\n {4}errors\n {4}template IN A outside\.test \{/);
  assert.ok(hermetic.indexOf("outside.test:53") < hermetic.indexOf("\n.:53 {"), "before the NXDOMAIN catch-all");
  assert.match(hermetic, /\n\.:53 \{\n {4}errors\n {4}template ANY ANY \{\n {7}rcode NXDOMAIN\n {4}\}\n\}\n$/);
  assert.equal(withOutsideZone(hermetic), hermetic);
});
