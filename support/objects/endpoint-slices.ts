import type { V1EndpointSlice, V1Endpoints } from "@kubernetes/client-node";
import type { Kube } from "../kube/client.ts";
import { eventually } from "../wait/eventually.ts";
import { readObject } from "./fields.ts";
import { objectRef } from "./kinds.ts";

/** The addresses and port numbers of an Endpoints object or of a Service's EndpointSlices, sorted, for comparing. */
export interface AddressesAndPorts {
  readonly addresses: string[];
  readonly ports: number[];
}

/** Every address (ready or not) and port of an Endpoints object, as the EndpointSlice mirroring controller reads them. */
export function endpointsAddresses(endpoints: V1Endpoints): AddressesAndPorts {
  const addresses = new Set<string>();
  const ports = new Set<number>();
  for (const subset of endpoints.subsets ?? []) {
    for (const a of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])]) addresses.add(a.ip);
    for (const p of subset.ports ?? []) ports.add(p.port);
  }
  return sorted(addresses, ports);
}

/**
 * Every address and port of the slices of one address family. Endpoints are single-stack while a Service may have
 * IPv4 and IPv6 slices, so only the family of the Endpoints' addresses is compared (as upstream's endpointSlicesEqual).
 */
export function slicesAddresses(slices: V1EndpointSlice[], family: "IPv4" | "IPv6"): AddressesAndPorts {
  const addresses = new Set<string>();
  const ports = new Set<number>();
  for (const slice of slices.filter((s) => s.addressType === family)) {
    for (const e of slice.endpoints ?? []) for (const a of e.addresses) addresses.add(a);
    for (const p of slice.ports ?? []) if (p.port !== undefined) ports.add(p.port);
  }
  return sorted(addresses, ports);
}

/** Whether the slices hold exactly the Endpoints' addresses and ports; nothing on either side is never a match. */
export function slicesMatchEndpoints(endpoints: AddressesAndPorts, slices: AddressesAndPorts): boolean {
  return (
    endpoints.addresses.length > 0 &&
    endpoints.addresses.join() === slices.addresses.join() &&
    endpoints.ports.join() === slices.ports.join()
  );
}

/**
 * Waits until the EndpointSlices of a Service (labelled kubernetes.io/service-name, whoever manages them) hold
 * exactly the addresses and ports of the Endpoints of the same name: the `kubernetes` Service's slices and Endpoints
 * both point at the API server, and a selector-less Service's hand-made Endpoints are mirrored to slices.
 */
export async function waitForSlicesMatchingEndpoints(
  kube: Kube,
  target: { service: string; namespace: string; seconds: number },
): Promise<void> {
  const where = `${target.namespace}/${target.service}`;
  await eventually(
    `the EndpointSlices of the Service ${where} hold exactly the addresses and ports of its Endpoints`,
    async () => {
      const endpoints = (await readObject(kube, objectRef("Endpoints", target.service, target.namespace))) as
        | V1Endpoints
        | undefined;
      if (!endpoints) return { satisfied: false, value: `the Endpoints ${where} do not exist` };
      const want = endpointsAddresses(endpoints);
      const family = want.addresses.some((a) => a.includes(":")) ? "IPv6" : "IPv4";
      const slices = await listSlices(kube, target);
      const got = slicesAddresses(slices, family);
      return {
        satisfied: slicesMatchEndpoints(want, got),
        value: `Endpoints ${describe(want)}; ${slices.length} EndpointSlice(s), ${family}: ${describe(got)}`,
      };
    },
    { timeoutMs: Math.max(target.seconds * 1000, 1), intervalMs: 250 },
  );
}

async function listSlices(kube: Kube, target: { service: string; namespace: string }): Promise<V1EndpointSlice[]> {
  const selector = `kubernetes.io/service-name=${target.service}`;
  const list = await kube.objects.list<V1EndpointSlice & { metadata: object }>(
    "discovery.k8s.io/v1",
    "EndpointSlice",
    target.namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    selector,
  );
  return list.items;
}

function sorted(addresses: Set<string>, ports: Set<number>): AddressesAndPorts {
  return { addresses: [...addresses].sort(), ports: [...ports].sort((a, b) => a - b) };
}

function describe(found: AddressesAndPorts): string {
  const addresses = found.addresses.length ? found.addresses.join(", ") : "no address";
  return `${addresses} on port(s) ${found.ports.length ? found.ports.join(", ") : "none"}`;
}
