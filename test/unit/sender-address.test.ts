import assert from "node:assert/strict";
import { test } from "node:test";
import { podIdentity, senderAddressFor, senderAddressOf } from "../../support/clients/client.ts";

test("a request over IPv6 leaves from the sender's IPv6 address, any other from its first one", () => {
  const outside = { name: "c", address: "172.20.0.5", ipv6Address: "fc00:6b71:6475:616c::5" };
  assert.equal(senderAddressFor(outside, "http://[fc00:6b71:6475:616c::3]:30711/"), "fc00:6b71:6475:616c::5");
  assert.equal(senderAddressFor(outside, "udp://[fd00:10:96::a]:90"), "fc00:6b71:6475:616c::5");
  assert.equal(senderAddressFor(outside, "http://172.20.0.3:30711/"), "172.20.0.5");
  assert.equal(senderAddressFor(outside, "HTTP://[fc00:6b71:6475:616c::3]/"), "fc00:6b71:6475:616c::5");
  assert.equal(senderAddressFor(outside, "http://web"), "172.20.0.5");
  assert.equal(senderAddressFor(outside, "not a url"), "172.20.0.5");
  assert.equal(senderAddressFor({ name: "p", address: "10.244.1.5" }, "http://[fd00:10:96::a]/"), "10.244.1.5");
});

test("a dual-stack pod client sends over IPv6 from its IPv6 address", () => {
  const dual = podIdentity("c", { ip: "10.244.1.5", ips: ["10.244.1.5", "fd00:10:244:1::5"], node: "w" });
  assert.equal(senderAddressFor(dual, "http://[fd00:10:96::a]/"), "fd00:10:244:1::5");
  assert.equal(senderAddressFor(dual, "http://10.96.0.10/"), "10.244.1.5");
  assert.deepEqual(podIdentity("c", { ip: "10.244.1.5", ips: ["10.244.1.5"], node: "w" }), {
    name: "c",
    address: "10.244.1.5",
    node: "w",
  });
});

test("a batch's sender is the address its connections left from, whichever family a name resolved to", () => {
  const dual = podIdentity("c", { ip: "10.244.1.5", ips: ["10.244.1.5", "fd00:10:244:1::5"], node: "w" });
  const overIPv6 = [{ localIP: "fd00:10:244:1::5" }, { localIP: "fd00:10:244:1::5" }, {}];
  assert.equal(senderAddressOf(dual, "http://web-v6.ns.svc.cluster.local/", overIPv6), "fd00:10:244:1::5");
  assert.equal(senderAddressOf(dual, "http://web/", [{}, {}]), "10.244.1.5", "no connection: the URL's family");
  assert.equal(
    senderAddressOf(dual, "http://[fd00:10:96::a]/", [{ localIP: "10.244.1.5" }, { localIP: "fd00:10:244:1::5" }]),
    "fd00:10:244:1::5",
    "two addresses: none stands for the batch, so the URL's family does",
  );
});
