import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import {
  clusterIPOfFamily,
  describeClusterIPs,
  endpointsFamilyProblem,
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

test("the v1 Endpoints hold: a count of ready addresses of one family; another family, or a count off, is named", () => {
  const endpoints = (...ips: string[]) => ({
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
  });
  assert.equal(endpointsFamilyProblem(endpoints("fd00:10:244:1::5", "fd00:10:244:2::7"), 2, "IPv6"), undefined);
  assert.equal(
    endpointsFamilyProblem(endpoints("10.244.1.5", "10.244.2.7"), 2, "IPv6"),
    "2 ready address(es): 10.244.1.5 (IPv4), 10.244.2.7 (IPv4); 2 not IPv6",
  );
  assert.equal(endpointsFamilyProblem(endpoints("10.244.1.5"), 2, "IPv4"), "1 ready address(es): 10.244.1.5 (IPv4)");
  assert.equal(endpointsFamilyProblem({ subsets: [] }, 1, "IPv4"), "0 ready address(es): none");
  const withUnready = { subsets: [{ addresses: [{ ip: "10.244.1.5" }], notReadyAddresses: [{ ip: "fd00::9" }] }] };
  assert.equal(
    endpointsFamilyProblem(withUnready, 1, "IPv4"),
    "1 ready address(es): 10.244.1.5 (IPv4) (and 1 not ready: fd00::9); 1 not IPv4",
  );
  assert.equal(endpointsFamilyProblem(undefined, 0, "IPv4"), "there is no Endpoints object");
});
