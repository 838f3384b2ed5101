import assert from "node:assert/strict";
import test from "node:test";
import type { V1EndpointSlice, V1Endpoints } from "@kubernetes/client-node";
import { endpointsAddresses, slicesAddresses, slicesMatchEndpoints } from "../../support/objects/endpoint-slices.ts";

const endpoints: V1Endpoints = {
  subsets: [
    { addresses: [{ ip: "10.244.250.11" }], notReadyAddresses: [{ ip: "10.244.250.10" }], ports: [{ port: 8080 }] },
  ],
};
const slice = (addressType: string, addresses: string[][], ports: number[]): V1EndpointSlice => ({
  addressType,
  endpoints: addresses.map((a) => ({ addresses: a })),
  ports: ports.map((port) => ({ port })),
});

test("EndpointSlices match Endpoints when they hold the same addresses (ready or not) and ports, in any order", () => {
  const want = endpointsAddresses(endpoints);
  assert.deepEqual(want, { addresses: ["10.244.250.10", "10.244.250.11"], ports: [8080] });
  const slices = [slice("IPv4", [["10.244.250.11"]], [8080]), slice("IPv4", [["10.244.250.10"]], [8080])];
  assert.equal(slicesMatchEndpoints(want, slicesAddresses(slices, "IPv4")), true);
});

test("a missing or extra address, another port, or only the other family's slices is no match", () => {
  const want = endpointsAddresses(endpoints);
  const check = (slices: V1EndpointSlice[]) => slicesMatchEndpoints(want, slicesAddresses(slices, "IPv4"));
  assert.equal(check([slice("IPv4", [["10.244.250.11"]], [8080])]), false, "an address is missing");
  assert.equal(check([slice("IPv4", [["10.244.250.10", "10.244.250.11", "10.244.250.12"]], [8080])]), false);
  assert.equal(check([slice("IPv4", [["10.244.250.10", "10.244.250.11"]], [80])]), false, "another port");
  assert.equal(check([slice("IPv6", [["10.244.250.10", "10.244.250.11"]], [8080])]), false, "other family");
  assert.equal(check([]), false, "no slice at all");
});

test("empty Endpoints never match, even empty slices: there is nothing to compare", () => {
  const none = endpointsAddresses({ subsets: [] });
  assert.equal(slicesMatchEndpoints(none, slicesAddresses([], "IPv4")), false);
});
