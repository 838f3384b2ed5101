import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, kindNetworkName } from "../../support/cluster/kind.ts";
import { UserError } from "../../support/errors/user-error.ts";
import { ipInCidr, ipToBigInt, ipv4ToNumber } from "../../support/kube/networks.ts";
import { runCommand } from "../../support/process/command.ts";

/**
 * The network seal: nothing from the kind Docker network (nodes, pods, outside-world containers) may reach any
 * address beyond the kind network itself and this host. Docker's FORWARD rules accept everything leaving the kind
 * bridge for the host's default route, so a packet to an address nothing here serves (a ClusterIP kube-proxy has not
 * programmed or ignores, a user manifest's URL) would leave the machine and could be answered from outside.
 *
 * The rules live in Docker's DOCKER-USER chain: it is evaluated before Docker's own rules and Docker keeps it when it
 * rewrites the rest (https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-on-a-router). Traffic
 * to the host's own addresses goes through INPUT, not FORWARD, so the host stays reachable. They REJECT rather than
 * DROP, so a client sees "refused" at once instead of waiting for a timeout; TCP gets a reset, because ICMP errors
 * are rate-limited by the kernel (icmp_ratelimit) and a burst would turn into timeouts.
 */

export { kindNetworkName };
/**
 * Where the dual-stack harness test writes its cluster's pod and Service ranges ({ podCidrs, serviceCidrs }), so that
 * `npm test`'s account of stopped packets can sort that cluster's packets after the cluster is gone.
 */
export const dualStackNetworksFile = "reports/seal/dual-stack-networks.json";
/** Where the seal tests list the destinations they probe on purpose, so the account does not count them as leaks. */
export const sealTestDestinationsFile = "reports/seal/seal-test-destinations.json";
/** Every seal rule carries this comment, so they can be found, counted and removed without guessing. */
export const sealComment = "kubequake-seal";
/** Kernel log prefix of a stopped packet (dmesg), so `npm test` can say where each one came from. */
export const sealLogPrefix = "kubequake-seal: ";

/** The kind network as Docker reports it. */
export interface KindNetwork {
  readonly id: string;
  /** The Linux bridge of the network: `br-` + the first 12 characters of its id. */
  readonly bridge: string;
  readonly subnets: readonly string[];
  readonly ipv6: boolean;
}

/**
 * Where each address family's rules go. IPv4: Docker's DOCKER-USER chain. IPv6: the host's FORWARD chain itself,
 * because this Docker leaves ip6tables alone (no DOCKER-USER there). Docker turns the host's IPv6 forwarding on
 * when it creates a network with IPv6, and this host has an IPv6 default route, so a kind network with an IPv6
 * subnet (kind-dual; kind adds one when it creates a network itself) needs it too.
 */
export interface SealTable {
  readonly command: "iptables" | "ip6tables";
  readonly chain: string;
  readonly unreachable: string;
}

export const ipv4Table: SealTable = { command: "iptables", chain: "DOCKER-USER", unreachable: "icmp-port-unreachable" };
export const ipv6Table: SealTable = { command: "ip6tables", chain: "FORWARD", unreachable: "icmp6-port-unreachable" };

/** The tables a network needs sealed. */
export function sealTables(network: KindNetwork): SealTable[] {
  return network.ipv6 ? [ipv4Table, ipv6Table] : [ipv4Table];
}

/** The seal rules for a bridge, as arguments after the chain name (order matters: LOG, then REJECTs). */
export function sealRules(bridge: string, table: SealTable = ipv4Table): string[][] {
  const leaving = ["-i", bridge, "!", "-o", bridge, "-m", "comment", "--comment", sealComment];
  return [
    // Rate-limited, so a runaway client cannot flood the kernel log; the counters below still count every packet.
    [...leaving, "-m", "limit", "--limit", "30/min", "--limit-burst", "30", "-j", "LOG", "--log-prefix", sealLogPrefix],
    [...leaving, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"],
    [...leaving, "-j", "REJECT", "--reject-with", table.unreachable],
  ];
}

export async function readKindNetwork(): Promise<KindNetwork | undefined> {
  const result = await runCommand("docker", ["network", "inspect", kindNetworkName], {
    allowFailure: true,
    timeoutMs: 30_000,
  });
  if (result.exitCode !== 0) return undefined;
  const [network] = JSON.parse(result.stdout) as {
    Id: string;
    EnableIPv6: boolean;
    IPAM: { Config: { Subnet: string }[] | null };
  }[];
  if (!network) return undefined;
  return {
    id: network.Id,
    bridge: `br-${network.Id.slice(0, 12)}`,
    subnets: (network.IPAM.Config ?? []).map((c) => c.Subnet),
    ipv6: network.EnableIPv6,
  };
}

/**
 * The IPv6 subnet of a dual-stack kind network: a unique local address (fc00::/7, never routed beyond a site), fixed
 * so that the seal and the reports see the same addresses from run to run.
 */
export const dualStackNetworkIPv6Subnet = "fc00:6b71:6475:616c::/64";

/**
 * Creates the kind network the way kind does (bridge, IP masquerade, the default bridge's MTU), so that the seal
 * exists before the first node boots; kind reuses a network that already has its name. "kind" is IPv4 only: one
 * address family less to seal. A dual-stack variant's network ("kind-dual") gets an IPv6 subnet too, and its seal
 * covers both families.
 */
export async function ensureKindNetwork(wantIPv6 = false): Promise<{ network: KindNetwork; created: boolean }> {
  const existing = await readKindNetwork();
  if (existing && wantIPv6 && !existing.ipv6)
    throw new UserError(
      `the Docker network "${kindNetworkName}" has no IPv6 subnet (${existing.subnets.join(", ")}), so a dual-stack or IPv6 cluster's nodes would get no IPv6 address`,
      `remove it (\`docker network rm ${kindNetworkName}\`, once no container uses it), then run \`cluster up\` again with the same --ip-family: it recreates the network with both families.`,
    );
  if (existing) return { network: existing, created: false };
  const ipv6ForwardingBefore = readIPv6Forwarding();
  const mtu = await runCommand(
    "docker",
    ["network", "inspect", "bridge", "-f", '{{ index .Options "com.docker.network.driver.mtu" }}'],
    { allowFailure: true, timeoutMs: 30_000 },
  );
  const mtuOption = /^\d+$/.test(mtu.stdout.trim()) ? ["-o", `com.docker.network.driver.mtu=${mtu.stdout.trim()}`] : [];
  await runCommand(
    "docker",
    [
      "network",
      "create",
      "-d=bridge",
      "-o",
      "com.docker.network.bridge.enable_ip_masquerade=true",
      ...mtuOption,
      ...(wantIPv6 ? ["--ipv6", "--subnet", dualStackNetworkIPv6Subnet] : []),
      kindNetworkName,
    ],
    { timeoutMs: 60_000 },
  );
  // Docker turns on the host's IPv6 forwarding for a network with IPv6 (net.ipv6.conf.all.forwarding); remembered, so
  // that removing the network gives the host back as it was.
  if (wantIPv6 && ipv6ForwardingBefore === "0") writeFileSync(forwardingNote(), "0\n");
  const network = await readKindNetwork();
  if (!network) throw new Error(`docker network create ${kindNetworkName} succeeded, but the network is not there`);
  return { network, created: true };
}

async function run(table: SealTable, args: readonly string[], allowFailure = false) {
  return runCommand(table.command, ["-w", "10", ...args], { allowFailure, timeoutMs: 30_000 });
}

/** Installs the seal for the kind network's bridge at the top of each family's chain; idempotent. True if added. */
export async function installSeal(network: KindNetwork): Promise<boolean> {
  let added = false;
  for (const table of sealTables(network)) {
    // Inserted in reverse at position 1, so they end up in order at the top of the chain.
    for (const rule of sealRules(network.bridge, table).reverse()) {
      const present = await run(table, ["-C", table.chain, ...rule], true);
      if (present.exitCode === 0) continue;
      await run(table, ["-I", table.chain, "1", ...rule]);
      added = true;
    }
  }
  return added;
}

const ipv6ForwardingFile = "/proc/sys/net/ipv6/conf/all/forwarding";
const readIPv6Forwarding = () =>
  existsSync(ipv6ForwardingFile) ? readFileSync(ipv6ForwardingFile, "utf8").trim() : "";
const forwardingNote = () => {
  mkdirSync(join(cacheRoot, "state"), { recursive: true });
  return join(cacheRoot, "state", `ipv6-forwarding-before-${kindNetworkName}`);
};

/**
 * Removes the kind network when it is a dual-stack one (kind never removes a network; this one exists only for its
 * clusters) and puts the host's IPv6 forwarding back as it was before kubequake created it. The caller has checked
 * that no cluster uses it. Returns what it did, for the log; nothing for the IPv4 "kind" network, which stays.
 */
export async function removeDualStackNetwork(): Promise<string | undefined> {
  const network = await readKindNetwork();
  if (!network?.ipv6) return undefined;
  const gone = await runCommand("docker", ["network", "rm", kindNetworkName], {
    allowFailure: true,
    timeoutMs: 60_000,
  });
  if (gone.exitCode !== 0) return `kept the network "${kindNetworkName}" (${gone.stderr.trim()})`;
  const note = forwardingNote();
  if (!existsSync(note)) return `removed the network "${kindNetworkName}"`;
  writeFileSync(ipv6ForwardingFile, readFileSync(note, "utf8"));
  rmSync(note);
  return `removed the network "${kindNetworkName}" and turned the host's IPv6 forwarding back off, as it was`;
}

/** Removes the seal rules of one bridge (both families), or of every bridge; returns how many were removed. */
export async function removeSeal(bridge?: string): Promise<number> {
  let removed = 0;
  for (const table of [ipv4Table, ipv6Table]) {
    const listed = await run(table, ["-S", table.chain], true);
    const rules =
      listed.exitCode === 0
        ? listed.stdout
            .split("\n")
            .filter((l) => l.includes(`--comment ${sealComment}`) && (!bridge || l.includes(`-i ${bridge} `)))
        : [];
    for (const spec of rules) await run(table, ["-D", ...splitRuleSpec(spec).slice(1)], true);
    removed += rules.length;
  }
  return removed;
}

/** Splits an `iptables -S` line into arguments (quotes only appear around the log prefix). */
export function splitRuleSpec(spec: string): string[] {
  return (spec.match(/"[^"]*"|\S+/g) ?? []).map((part) => part.replace(/^"(.*)"$/, "$1"));
}

/** Whether the seal is in place, and how many packets it has stopped since its rules were added. */
export interface SealState {
  readonly network: KindNetwork | undefined;
  readonly installed: boolean;
  /** Packets rejected (TCP resets and ICMP errors) since the rules were added. */
  readonly rejected: number;
}

export async function readSeal(): Promise<SealState> {
  const network = await readKindNetwork();
  if (!network) return { network, installed: false, rejected: 0 };
  let installed = true;
  let rejected = 0;
  for (const table of sealTables(network)) {
    const checks = await Promise.all(
      sealRules(network.bridge, table).map((rule) => run(table, ["-C", table.chain, ...rule], true)),
    );
    installed &&= checks.every((check) => check.exitCode === 0);
    const counters = await run(table, ["-L", table.chain, "-v", "-n", "-x"], true);
    rejected += rejectedPackets(counters.stdout, network.bridge);
  }
  return { network, installed, rejected };
}

/** Sums the packet counters of the seal's REJECT rules for `bridge` in `iptables -L DOCKER-USER -v -n -x` output. */
export function rejectedPackets(listing: string, bridge: string): number {
  let total = 0;
  for (const line of listing.split("\n")) {
    const columns = line.trim().split(/\s+/);
    // pkts bytes target prot opt in out source destination [extras]
    if (columns[2] === "REJECT" && columns[5] === bridge && line.includes(sealComment)) total += Number(columns[0]);
  }
  return total;
}

/** One packet the seal stopped, as the kernel logged it. */
export interface StoppedPacket {
  /** Seconds since boot (the kernel log's clock). */
  readonly atUptimeSeconds: number;
  readonly source: string;
  readonly destination: string;
  readonly protocol: string;
  readonly destinationPort: string;
}

/** Parses the seal's kernel log lines (`dmesg` output). */
export function parseStoppedPackets(kernelLog: string): StoppedPacket[] {
  const packets: StoppedPacket[] = [];
  for (const line of kernelLog.split("\n")) {
    if (!line.includes(sealLogPrefix)) continue;
    const field = (name: string) => new RegExp(`\\b${name}=(\\S*)`).exec(line)?.[1] ?? "";
    packets.push({
      atUptimeSeconds: Number(/^\[\s*([\d.]+)\]/.exec(line)?.[1] ?? 0),
      source: field("SRC"),
      destination: field("DST"),
      protocol: field("PROTO"),
      destinationPort: field("DPT"),
    });
  }
  return packets;
}

/**
 * Collects the seal's kernel log lines from now on, as they are written (`dmesg --follow`): the kernel's ring buffer
 * is small, and on a busy run the lines of the first minutes are overwritten long before the end. `stop` ends the
 * follower and returns the packets it saw after `afterLogSeconds`.
 */
export function followStoppedPackets(afterLogSeconds: number): { stop(): StoppedPacket[] } {
  let text = "";
  const follower = spawn("dmesg", ["--follow"], { stdio: ["ignore", "pipe", "ignore"] });
  follower.on("error", () => undefined);
  follower.stdout.on("data", (chunk: Buffer) => {
    // Keep only the seal's lines; a whole run's kernel log would be large.
    for (const line of chunk.toString().split("\n")) if (line.includes(sealLogPrefix)) text += `${line}\n`;
  });
  return {
    stop() {
      follower.kill();
      return parseStoppedPackets(text).filter((p) => p.atUptimeSeconds > afterLogSeconds);
    },
  };
}

/**
 * The kernel log's own clock now: the time stamp of its newest line. /proc/uptime is not the same clock on these
 * VMs (they are restored from snapshots), so a mark taken from it would drop or admit the wrong lines.
 */
export async function kernelLogNow(): Promise<number> {
  const log = await runCommand("dmesg", [], { allowFailure: true, timeoutMs: 30_000 });
  const stamps = [...log.stdout.matchAll(/^\[\s*([\d.]+)\]/gm)].map((m) => Number(m[1]));
  return stamps.at(-1) ?? 0;
}

/** The host's DNS servers (/etc/resolv.conf): Docker's embedded DNS forwards nodes' outside lookups to them. */
export function hostResolvers(): string[] {
  try {
    return [...readFileSync("/etc/resolv.conf", "utf8").matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!);
  } catch {
    return [];
  }
}

/** Where the packets the seal stopped during a run were going, and which of them nobody expected. */
export interface SealAccount {
  /** Sent on purpose by the seal's own test (its destinations are listed by that test). */
  readonly byTheSealTest: number;
  /** To a Service IP that has no rules (a test checking that a Service is down): the seal turned it into "refused". */
  readonly toServiceIPs: number;
  /**
   * Lookups of outside names that Docker's embedded DNS forwarded from a node towards the host's resolvers (a pod
   * with dnsPolicy Default, or the node itself): refused, so the lookup fails fast here instead of leaving.
   */
  readonly outsideLookups: readonly StoppedPacket[];
  /**
   * To a pod IP: a node answering a pod on another node before flannel had a route to that node's pod subnet, which
   * happens in the seconds after nodes start (seen when `cluster up` revived a cluster whose containers had stopped).
   * Without a route the reply takes the node's default route to the host, where the seal stops it.
   */
  readonly toPodIPs: readonly StoppedPacket[];
  /** Anything else: a leak that the seal stopped, to be found and fixed. */
  readonly unexpected: readonly StoppedPacket[];
}

/** Sorts logged packets by who sent them; `expectedDestinations` are the seal test's own targets. */
export function accountStoppedPackets(
  packets: readonly StoppedPacket[],
  expectedDestinations: readonly string[],
  serviceCidr: string | readonly string[],
  resolvers: readonly string[] = [],
  podCidr: string | readonly string[] = "",
): SealAccount {
  let byTheSealTest = 0;
  let toServiceIPs = 0;
  const outsideLookups: StoppedPacket[] = [];
  const toPodIPs: StoppedPacket[] = [];
  const unexpected: StoppedPacket[] = [];
  const inAny = (ip: string, cidrs: string | readonly string[]) =>
    (typeof cidrs === "string" ? [cidrs] : cidrs).some((cidr) => cidr !== "" && ipInCidr(ip, cidr));
  // The kernel log writes IPv6 addresses in full (2001:0db8:0000:…:0001): compare them as numbers.
  const expected = expectedDestinations.map(ipToBigInt);
  for (const packet of packets) {
    const destination = ipToBigInt(packet.destination);
    if (destination !== undefined && expected.includes(destination)) byTheSealTest += 1;
    else if (inAny(packet.destination, serviceCidr)) toServiceIPs += 1;
    else if (resolvers.includes(packet.destination) && packet.destinationPort === "53") outsideLookups.push(packet);
    else if (inAny(packet.destination, podCidr)) toPodIPs.push(packet);
    else unexpected.push(packet);
  }
  return { byTheSealTest, toServiceIPs, outsideLookups, toPodIPs, unexpected };
}

/** Whether a dotted IPv4 address lies in an IPv4 CIDR; false for anything that is not IPv4. */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base = "", bits = "32"] = cidr.split("/");
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base);
  const prefix = Number(bits);
  if (address === undefined || network === undefined || !(prefix >= 0 && prefix <= 32)) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(network / size);
}
