import assert from "node:assert/strict";
import { test } from "node:test";
import { ipInCidr, ipToBigInt } from "../../support/kube/networks.ts";
import {
  accountStoppedPackets,
  ipv4InCidr,
  ipv6Table,
  parseStoppedPackets,
  rejectedPackets,
  sealRules,
  sealTables,
  splitRuleSpec,
} from "../../tooling/cluster-build/seal.ts";

test("the seal logs, then rejects TCP with a reset and everything else with ICMP, only for traffic leaving the bridge", () => {
  const rules = sealRules("br-0123456789ab");
  assert.equal(rules.length, 3);
  for (const rule of rules) {
    assert.deepEqual(rule.slice(0, 5), ["-i", "br-0123456789ab", "!", "-o", "br-0123456789ab"]);
    assert.ok(rule.includes("kubequake-seal"));
  }
  assert.deepEqual(
    rules.map((r) => r[r.indexOf("-j") + 1]),
    ["LOG", "REJECT", "REJECT"],
  );
  assert.equal(rules[1]!.at(-1), "tcp-reset");
  assert.equal(rules[2]!.at(-1), "icmp-port-unreachable");
  assert.equal(sealRules("br-1", ipv6Table)[2]!.at(-1), "icmp6-port-unreachable");
});

test("a network with an IPv6 subnet is sealed in both families: Docker's DOCKER-USER and the host's ip6 FORWARD", () => {
  const network = { id: "x", bridge: "br-1", subnets: [], ipv6: true };
  assert.deepEqual(
    sealTables(network).map((t) => `${t.command} ${t.chain}`),
    ["iptables DOCKER-USER", "ip6tables FORWARD"],
  );
  assert.deepEqual(
    sealTables({ ...network, ipv6: false }).map((t) => t.command),
    ["iptables"],
  );
});

test("rule specs from iptables -S split into arguments, quoted log prefixes included", () => {
  assert.deepEqual(
    splitRuleSpec(
      '-A DOCKER-USER -i br-1 ! -o br-1 -m comment --comment kubequake-seal -j LOG --log-prefix "kubequake-seal: "',
    ),
    [
      "-A",
      "DOCKER-USER",
      "-i",
      "br-1",
      "!",
      "-o",
      "br-1",
      "-m",
      "comment",
      "--comment",
      "kubequake-seal",
      "-j",
      "LOG",
      "--log-prefix",
      "kubequake-seal: ",
    ],
  );
});

test("the stopped-packet counter sums the seal's REJECT rules of the bridge only", () => {
  const listing = `Chain DOCKER-USER (1 references)
    pkts      bytes target     prot opt in     out     source               destination
       7      420 LOG        0    --  br-1   !br-1   0.0.0.0/0            0.0.0.0/0            /* kubequake-seal */ limit: avg 30/min burst 30 LOG flags 0 level 4 prefix "kubequake-seal: "
       5      300 REJECT     6    --  br-1   !br-1   0.0.0.0/0            0.0.0.0/0            /* kubequake-seal */ reject-with tcp-reset
       2       84 REJECT     0    --  br-1   !br-1   0.0.0.0/0            0.0.0.0/0            /* kubequake-seal */ reject-with icmp-port-unreachable
       9      900 REJECT     0    --  br-2   !br-2   0.0.0.0/0            0.0.0.0/0            /* kubequake-seal */ reject-with icmp-port-unreachable
     100     9000 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0`;
  assert.equal(rejectedPackets(listing, "br-1"), 7);
  assert.equal(rejectedPackets("", "br-1"), 0);
});

test("stopped packets are read from the kernel log and sorted by who sent them", () => {
  const log = `[  10.000001] something else
[ 433.530718] kubequake-seal: IN=br-1 OUT=eth0 SRC=172.18.0.3 DST=192.0.2.1 LEN=60 PROTO=TCP SPT=40572 DPT=80 SYN
[ 434.000000] kubequake-seal: IN=br-1 OUT=eth0 SRC=172.18.0.4 DST=10.96.14.2 LEN=60 PROTO=TCP SPT=1 DPT=80 SYN
[ 435.500000] kubequake-seal: IN=br-1 OUT=eth0 SRC=172.18.0.2 DST=203.0.113.9 LEN=60 PROTO=UDP SPT=1 DPT=53
[ 436.000000] kubequake-seal: IN=br-1 OUT=eth0 SRC=172.18.0.2 DST=10.244.2.7 LEN=52 PROTO=TCP SPT=6443 DPT=54600 ACK`;
  const packets = parseStoppedPackets(log);
  assert.equal(packets.length, 4);
  assert.deepEqual(packets[0], {
    atUptimeSeconds: 433.530718,
    source: "172.18.0.3",
    destination: "192.0.2.1",
    protocol: "TCP",
    destinationPort: "80",
  });
  const account = accountStoppedPackets(packets, ["192.0.2.1"], "10.96.0.0/16", ["203.0.113.9"], "10.244.0.0/16");
  assert.equal(account.byTheSealTest, 1);
  assert.deepEqual(
    account.toPodIPs.map((p) => p.destination),
    ["10.244.2.7"],
    "a reply to a pod before flannel routed its node is counted apart",
  );
  assert.equal(account.unexpected.length, 0);
  assert.equal(account.toServiceIPs, 1);
  assert.deepEqual(
    account.outsideLookups.map((p) => p.destination),
    ["203.0.113.9"],
    "a DNS query to the host's resolver is an outside lookup",
  );
  const strict = accountStoppedPackets(packets, ["192.0.2.1"], "10.96.0.0/16");
  assert.deepEqual(
    strict.unexpected.map((p) => `${p.source}→${p.destination}:${p.destinationPort}/${p.protocol}`),
    ["172.18.0.2→203.0.113.9:53/UDP", "172.18.0.2→10.244.2.7:54600/TCP"],
  );
});

test("IPv4 CIDR membership", () => {
  assert.ok(ipv4InCidr("10.96.200.1", "10.96.0.0/16"));
  assert.ok(!ipv4InCidr("10.97.0.1", "10.96.0.0/16"));
  assert.ok(ipv4InCidr("1.2.3.4", "0.0.0.0/0"));
  assert.ok(!ipv4InCidr("fc00::1", "10.96.0.0/16"));
  assert.ok(!ipv4InCidr("10.96.0.1", "nonsense"));
});

test("IPv6 packets are sorted too: the kernel log's full addresses match the test's short ones, Service ranges by prefix", () => {
  const packet = (destination: string) => ({
    atUptimeSeconds: 1,
    source: "fc00:6b71:6475:616c:0000:0000:0000:0002",
    destination,
    protocol: "TCP",
    destinationPort: "80",
  });
  const account = accountStoppedPackets(
    [
      packet("2001:0db8:0000:0000:0000:0000:0000:0001"),
      packet("fd00:0010:0096:0000:0000:0000:0000:a575"),
      packet("fd00:0000:0000:0000:0000:0000:0000:0009"),
    ],
    ["192.0.2.1", "2001:db8::1"],
    ["10.96.0.0/16", "fd00:10:96::/112"],
  );
  assert.equal(account.byTheSealTest, 1);
  assert.equal(account.toServiceIPs, 1);
  assert.deepEqual(
    account.unexpected.map((p) => p.destination),
    ["fd00:0000:0000:0000:0000:0000:0000:0009"],
  );
  assert.ok(ipInCidr("fd00:10:96::ffff", "fd00:10:96::/112"));
  assert.ok(!ipInCidr("fd00:10:96::1:0", "fd00:10:96::/112"));
  assert.ok(!ipInCidr("10.96.0.1", "fd00:10:96::/112"));
  assert.ok(ipInCidr("10.96.0.1", "10.96.0.0/16"));
  assert.equal(ipToBigInt("::1"), ipToBigInt("0:0:0:0:0:0:0:1"));
  assert.notEqual(ipToBigInt("::1"), ipToBigInt("0.0.0.1"));
  assert.equal(ipToBigInt("1::2::3"), undefined);
});
