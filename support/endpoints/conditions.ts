import type { V1EndpointSlice } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import type { EndpointAddress } from "../kube/endpoints.ts";
import { nodeNameOnThisCluster } from "../nodes/names.ts";
import { waitForEndpoints } from "./expectations.ts";
import type { ServiceOfScenario } from "./slices.ts";
import { describeEndpoints, type EndpointChange } from "./watcher.ts";

/**
 * Conditions on a Service's EndpointSlices, as a step writes them ("2 ready endpoints", "addressType IPv4"): one
 * grammar for every check of the slices, parsed once (the {endpointCondition} parameter type), judged on each change
 * the Service's EndpointSlice watch delivers, so a wait reports when the condition first held.
 */

/** The state words an endpoint count may name; several must all hold ("serving terminating"). */
export type EndpointState = "ready" | "unready" | "serving" | "terminating";

export type EndpointCondition =
  /** `count` endpoints in every one of `states` (all endpoints when none is named), on `node` when one is named. */
  | {
      readonly kind: "count";
      readonly count: number;
      readonly states: readonly EndpointState[];
      readonly node?: string;
    }
  /** Every slice lists the port (number, and protocol and name when given). */
  | { readonly kind: "port"; readonly port: number; readonly protocol?: string; readonly name?: string }
  /** Every slice has the addressType. */
  | { readonly kind: "addressType"; readonly addressType: string }
  /** Every endpoint carries (or, with `present` false, no endpoint carries) zone or node hints. */
  | { readonly kind: "hints"; readonly scope: "zone" | "node"; readonly present: boolean }
  /** Every slice is labelled endpointslice.kubernetes.io/managed-by with `manager`. */
  | { readonly kind: "managedBy"; readonly manager: string }
  /** None of `pods` is a ready endpoint (for "no longer lists the killed pods as ready"; not written in steps). */
  | { readonly kind: "notReady"; readonly pods: readonly string[] };

const states = "ready|unready|serving|terminating";

/** One condition, no capture group. */
const oneCondition = [
  `\\d+ (?:(?:${states}) )*endpoints?(?: on node "[^"]*")?`,
  'port \\d+(?:/(?:TCP|UDP|SCTP))?(?: named "[^"]*")?',
  "addressType (?:IPv4|IPv6|FQDN|of its ClusterIP)",
  "(?:no )?(?:zone|node) hints",
  'managed-by "[^"]*"',
].join("|");

/**
 * The regexp of {endpointCondition}: one condition, or several joined by " and " that must hold at once ("1 ready
 * endpoint and 0 ready serving endpoints"); no capture group (the transformer parses the text). Lint reports any
 * other wording as not an {endpointCondition}, before the cluster is touched.
 */
export const endpointConditionPattern = new RegExp(`(?:${oneCondition})(?: and (?:${oneCondition}))*`);

/** Parses what {@link endpointConditionPattern} matched: each condition joined by " and ". */
export function parseEndpointConditions(text: string): EndpointCondition[] {
  const parts = [...text.matchAll(new RegExp(`(?:^| and )(${oneCondition})`, "g"))].map((m) => m[1]!);
  return parts.map(parseEndpointCondition);
}

/** The label the EndpointSlice controller (or whoever made a slice) sets on it. */
const managedByLabel = "endpointslice.kubernetes.io/managed-by";

/** Parses one condition as {@link endpointConditionPattern} matched it; anything else is the feature's mistake. */
export function parseEndpointCondition(text: string): EndpointCondition {
  const count = new RegExp(`^(\\d+) ((?:(?:${states}) )*)endpoints?(?: on node "([^"]*)")?$`).exec(text);
  if (count) {
    const named = count[2]!.trim().split(" ").filter(Boolean) as EndpointState[];
    const condition = { kind: "count" as const, count: Number(count[1]), states: [...new Set(named)] };
    if (named.includes("ready") && named.includes("unready")) {
      throw new UserError(
        `"${text}": an endpoint cannot be both ready and unready`,
        'name one of them, e.g. "1 unready endpoint" or "2 ready endpoints".',
      );
    }
    return count[3] === undefined ? condition : { ...condition, node: nodeNameOnThisCluster(count[3]) };
  }
  const port = /^port (\d+)(?:\/(TCP|UDP|SCTP))?(?: named "([^"]*)")?$/.exec(text);
  if (port) {
    return {
      kind: "port",
      port: Number(port[1]),
      ...(port[2] ? { protocol: port[2] } : {}),
      ...(port[3] !== undefined ? { name: port[3] } : {}),
    };
  }
  const addressType = /^addressType (IPv4|IPv6|FQDN|of its ClusterIP)$/.exec(text);
  if (addressType) return { kind: "addressType", addressType: addressType[1]! };
  const hints = /^(no )?(zone|node) hints$/.exec(text);
  if (hints) return { kind: "hints", scope: hints[2] as "zone" | "node", present: hints[1] === undefined };
  const managedBy = /^managed-by "([^"]*)"$/.exec(text);
  if (managedBy) return { kind: "managedBy", manager: managedBy[1]! };
  throw new UserError(
    `"${text}" is not a condition on EndpointSlices`,
    'write e.g. "2 ready endpoints", "1 serving terminating endpoint on node "kubequake-worker"", "port 8080/TCP", "addressType IPv4", "no zone hints" or "managed-by "endpointslice-controller.k8s.io"".',
  );
}

/** The condition in words, as the step wrote it ("1 terminating endpoint on node kubequake-worker"). */
export function describeEndpointCondition(condition: EndpointCondition): string {
  switch (condition.kind) {
    case "count": {
      const words = [...condition.states, condition.count === 1 ? "endpoint" : "endpoints"].join(" ");
      return `${condition.count} ${words}${condition.node !== undefined ? ` on node ${condition.node}` : ""}`;
    }
    case "port":
      return `port ${condition.port}${condition.protocol ? `/${condition.protocol}` : ""}${condition.name !== undefined ? ` named "${condition.name}"` : ""} in every EndpointSlice`;
    case "addressType":
      return `addressType ${condition.addressType} on every EndpointSlice`;
    case "hints":
      return condition.present ? `${condition.scope} hints on every endpoint` : `no ${condition.scope} hints`;
    case "managedBy":
      return `every EndpointSlice labelled ${managedByLabel}=${condition.manager}`;
    case "notReady":
      return `none of ${condition.pods.join(", ")} as a ready endpoint`;
  }
}

function inStates(endpoint: EndpointAddress, wanted: readonly EndpointState[]): boolean {
  return wanted.every((state) => (state === "unready" ? !endpoint.ready : endpoint[state]));
}

/**
 * Whether the Service's endpoints and slices meet the condition. A condition about every slice needs at least one:
 * "every slice has port 80" must not pass on a Service that has none.
 */
export function meetsEndpointCondition(
  condition: EndpointCondition,
  endpoints: readonly EndpointAddress[],
  slices: readonly V1EndpointSlice[],
): boolean {
  switch (condition.kind) {
    case "count": {
      const onNode = condition.node === undefined ? endpoints : endpoints.filter((e) => e.node === condition.node);
      return onNode.filter((e) => inStates(e, condition.states)).length === condition.count;
    }
    case "port":
      return (
        slices.length > 0 &&
        slices.every((slice) =>
          (slice.ports ?? []).some(
            (p) =>
              p.port === condition.port &&
              (condition.protocol === undefined || (p.protocol ?? "TCP") === condition.protocol) &&
              (condition.name === undefined || (p.name ?? "") === condition.name),
          ),
        )
      );
    case "addressType":
      return slices.length > 0 && slices.every((slice) => slice.addressType === condition.addressType);
    case "hints": {
      const all = slices.flatMap((slice) => slice.endpoints ?? []);
      const has = (e: (typeof all)[number]) =>
        ((condition.scope === "zone" ? e.hints?.forZones : e.hints?.forNodes) ?? []).length > 0;
      return condition.present ? all.length > 0 && all.every(has) : !all.some(has);
    }
    case "managedBy":
      return (
        slices.length > 0 && slices.every((slice) => slice.metadata?.labels?.[managedByLabel] === condition.manager)
      );
    case "notReady":
      return endpoints.every((e) => !e.ready || !condition.pods.includes(e.pod));
  }
}

/** The slices in one line, with what the conditions look at: name, addressType, managed-by, ports, endpoints by node. */
export function describeSlices(slices: readonly V1EndpointSlice[]): string {
  if (slices.length === 0) return "no EndpointSlice";
  return slices
    .map((slice) => {
      const ports = (slice.ports ?? []).map((p) => `${p.name ? `${p.name}=` : ""}${p.port}/${p.protocol ?? "TCP"}`);
      const endpoints = (slice.endpoints ?? []).map((e) => {
        const c = e.conditions ?? {};
        const flags = [
          c.ready === false ? "unready" : "ready",
          c.serving === false ? "" : "serving",
          c.terminating ? "terminating" : "",
        ];
        const hints = [
          ...(e.hints?.forZones ?? []).map((z) => `zone ${z.name}`),
          ...(e.hints?.forNodes ?? []).map((n) => `node ${n.name}`),
        ];
        return `${e.targetRef?.name ?? e.addresses[0]}@${e.nodeName ?? "?"}(${flags.filter(Boolean).join(" ")}${hints.length ? `; hints ${hints.join(", ")}` : ""})`;
      });
      return `${slice.metadata?.name} [${slice.addressType}, managed-by ${slice.metadata?.labels?.[managedByLabel] ?? "(none)"}, ports ${ports.join(",") || "none"}]: ${endpoints.join(", ") || "no endpoint"}`;
    })
    .join(" | ");
}

/** What a timeout shows of the last change: the endpoints for counts, the whole slices for the rest. */
function seenFor(conditions: readonly EndpointCondition[]) {
  const slicesMatter = conditions.some((c) => c.kind !== "count" && c.kind !== "notReady");
  return (change: EndpointChange | undefined): string =>
    slicesMatter ? describeSlices(change?.slices ?? []) : describeEndpoints(change?.endpoints ?? []);
}

/**
 * Waits until the Service's EndpointSlices meet every one of `conditions` at once (seconds), timed from the
 * scenario's last action by the Service's EndpointSlice watch (see {@link waitForEndpoints}).
 */
export async function waitForEndpointConditions(
  service: ServiceOfScenario,
  seconds: number,
  written: readonly EndpointCondition[],
): Promise<number | undefined> {
  const conditions = await withClusterIPFamily(service, written);
  return waitForEndpoints(
    service.scenario,
    service.name,
    seconds,
    conditions.map(describeEndpointCondition).join(" and "),
    (endpoints, slices) => conditions.every((condition) => meetsEndpointCondition(condition, endpoints, slices)),
    seenFor(conditions),
  );
}

/** What "addressType of its ClusterIP" stands for: the family of the Service's (primary) ClusterIP, IPv4 or IPv6. */
const ofItsClusterIP = "of its ClusterIP";

async function withClusterIPFamily(
  service: ServiceOfScenario,
  conditions: readonly EndpointCondition[],
): Promise<readonly EndpointCondition[]> {
  if (!conditions.some((c) => c.kind === "addressType" && c.addressType === ofItsClusterIP)) return conditions;
  const { spec } = await service.scenario.kube.core.readNamespacedService({
    name: service.name,
    namespace: service.scenario.name,
  });
  // A headless Service has no ClusterIP, but its families all the same.
  const family = spec?.ipFamilies?.[0] ?? (spec?.clusterIP?.includes(":") ? "IPv6" : "IPv4");
  return conditions.map((c) =>
    c.kind === "addressType" && c.addressType === ofItsClusterIP ? { ...c, addressType: family } : c,
  );
}

/** "N ready endpoints": the condition most steps wait for. */
export function readyEndpoints(count: number): EndpointCondition {
  return { kind: "count", count, states: ["ready"] };
}
