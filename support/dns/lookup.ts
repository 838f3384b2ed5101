import type { PodClient } from "../clients/client.ts";
import { clientPod, clientPodFrom, registeredPod } from "../clients/registry.ts";
import { type DnsProbeResult, probeDns } from "../kube/prober.ts";
import { proberPod } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";

export type RecordType = "A" | "AAAA" | "SRV" | "CNAME";

/** The address record that carries `ip`: A for IPv4, AAAA for IPv6 (an IPv6-only cluster's names answer AAAA). */
export function addressRecordOf(ip: string | undefined): "A" | "AAAA" {
  return ip?.includes(":") ? "AAAA" : "A";
}

/** The cluster's DNS domain: kubeadm's default, which the CoreDNS Corefile serves (cluster/coredns.ts). */
export const clusterDomain = "cluster.local";

/** A Service's fully qualified name in cluster DNS. */
export function serviceFqdn(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}`;
}

/** The pod whose lookups go over TCP, once "DNS lookups go over TCP" was asked for. */
const tcpClientName = "dns-tcp-client";

/**
 * Makes the scenario's later lookups (every DNS step without a named pod) go over TCP: they are sent from a client
 * pod whose resolv.conf carries `options use-vc`, which the prober's Go resolver honours by asking over TCP only
 * (Go's net/dnsconfig_unix.go: use-vc, usevc and tcp set useTCP). Upstream's DNS e2e tests ask every name twice,
 * `dig +notcp` and `dig +tcp`: a cluster DNS that answers UDP only fails there, and would pass here without this.
 */
export async function lookUpOverTcp(scenario: ScenarioContext): Promise<void> {
  const client = clientPodFrom(scenario, {
    name: tcpClientName,
    label: "the client pod whose lookups go over TCP",
    manifest: () => {
      const pod = proberPod(tcpClientName, scenario.image, scenario.allowedNetworks);
      pod.spec = { ...pod.spec!, dnsConfig: { options: [{ name: "use-vc" }] } };
      return pod;
    },
  });
  // The pod's IP goes in the transcript so the TCP connections can be found in the nodes' conntrack tables.
  const { name, address } = await client.start();
  scenario.note(`DNS lookups from now on go over TCP (from the pod ${name}, ${address}, resolv.conf options use-vc)`);
}

/** The client the scenario's lookups are sent from: the TCP client once asked for, else the first client pod. */
export function dnsClient(scenario: ScenarioContext): PodClient {
  return registeredPod(scenario, tcpClientName) ?? clientPod(scenario);
}

/**
 * A name as written in a feature, with `{namespace}` standing for the scenario's namespace, so a Service's fully
 * qualified name can be written out: "web.{namespace}.svc.cluster.local".
 */
export function expandName(scenario: ScenarioContext, name: string): string {
  return name.replaceAll("{namespace}", scenario.name);
}

/**
 * Resolves `name` once through a pod's resolver (its resolv.conf: cluster DNS and search domains; /etc/hosts first, as
 * getent does): from `pod` if given, else from the scenario's DNS client ({@link dnsClient}).
 */
export async function resolveName(
  context: ScenarioContext,
  name: string,
  type: RecordType,
  pod?: string,
): Promise<DnsProbeResult> {
  const client = pod ?? (await dnsClient(context).start()).name;
  const expanded = expandName(context, name);
  const [result] = await probeDns(context.kube, context.name, client, { name: expanded, type, count: 1 });
  if (!result) throw new Error(`the prober returned no result for ${type} ${expanded}`);
  context.note(
    `${client} resolve ${type} ${expanded}: ${result.ok ? (result.answers ?? []).join(" ") : `${result.errorKind} ${result.error}`}`,
  );
  return result;
}

export function describeLookup(result: DnsProbeResult): string {
  return result.ok ? `[${(result.answers ?? []).join(", ")}]` : `${result.errorKind || "error"} (${result.error})`;
}
