import type { V1EndpointSlice } from "@kubernetes/client-node";

/** One address of a Service's EndpointSlices with its conditions. */
export interface EndpointAddress {
  readonly ip: string;
  readonly pod: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  /** The node the endpoint's pod runs on (the slice's nodeName), "" when the slice does not say. */
  readonly node: string;
}

export function flattenSlices(slices: readonly V1EndpointSlice[]): EndpointAddress[] {
  return slices
    .flatMap((slice) =>
      (slice.endpoints ?? []).flatMap((endpoint) =>
        endpoint.addresses.map((ip) => ({
          ip,
          pod: endpoint.targetRef?.name ?? "",
          // A missing `ready` condition means ready (discovery.k8s.io/v1 API docs).
          ready: endpoint.conditions?.ready ?? true,
          serving: endpoint.conditions?.serving ?? endpoint.conditions?.ready ?? true,
          terminating: endpoint.conditions?.terminating ?? false,
          node: endpoint.nodeName ?? "",
        })),
      ),
    )
    .sort((a, b) => a.pod.localeCompare(b.pod) || a.ip.localeCompare(b.ip));
}
