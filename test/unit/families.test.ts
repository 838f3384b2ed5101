import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import {
  clusterIPOfFamily,
  describeClusterIPs,
  familyOf,
  parseFamilies,
  urlHost,
} from "../../support/services/families.ts";

test("a Service's ClusterIP of one family, as a URL host: IPv6 in brackets", () => {
  const clusterIPs = ["10.96.134.58", "fd00:10:96::1f20"];
  assert.equal(clusterIPOfFamily(clusterIPs, "IPv6"), "[fd00:10:96::1f20]");
  assert.equal(clusterIPOfFamily(clusterIPs, "IPv4"), "10.96.134.58");
  assert.equal(clusterIPOfFamily(["10.96.134.58"], "IPv6"), undefined);
  assert.equal(urlHost("::1"), "[::1]");
  assert.equal(familyOf("fd00::1"), "IPv6");
  assert.equal(describeClusterIPs(clusterIPs), "10.96.134.58 (IPv4), fd00:10:96::1f20 (IPv6)");
  assert.equal(describeClusterIPs([]), "none");
});

test("families are written as Kubernetes spells them, in order, each once", () => {
  assert.deepEqual(parseFamilies("IPv4, IPv6"), ["IPv4", "IPv6"]);
  assert.deepEqual(parseFamilies("IPv6"), ["IPv6"]);
  assert.throws(
    () => parseFamilies("IPv4, ipv6"),
    (e: unknown) =>
      e instanceof UserError && /"ipv6" is not an IP family/.test(e.message) && /IPv4 or IPv6/.test(e.fix),
  );
  assert.throws(() => parseFamilies("IPv4,IPv4"), /names a family twice/);
});
