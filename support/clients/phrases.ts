import { nodeNameOnThisCluster } from "../nodes/names.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Client } from "./client.ts";
import {
  backendPodClient,
  clientPod,
  clientPodOnNode,
  hostClient,
  hostNetworkClient,
  madeClientPod,
  outsideClient,
} from "./registry.ts";

/** A client as a step names it (the {client} parameter type), before it is looked up in the scenario's registry. */
export type ClientPhrase =
  | { readonly kind: "outside"; readonly name: string }
  | { readonly kind: "host" }
  | { readonly kind: "clientPod"; readonly node?: string }
  | { readonly kind: "madePod"; readonly pod: string }
  | { readonly kind: "backendPod"; readonly backend: string }
  | { readonly kind: "hostNetwork"; readonly node: string };

/**
 * Regexp of the {client} parameter type; the groups feed {@link parseClientPhrase}. "a client pod on node" comes
 * before "a client pod", which would otherwise match its start.
 */
export const clientPattern =
  /(an outside client)|the outside client "([^"]*)"|(the host)|a client pod on node "([^"]*)"|(a client pod)|the pod "([^"]*)"|a pod of "([^"]*)"|a hostNetwork client on node "([^"]*)"/;

/** The {client} parameter's groups (see {@link clientPattern}), in order, as a phrase. */
export function parseClientPhrase(groups: readonly (string | undefined)[]): ClientPhrase {
  const [anOutsideClient, outsideName, host, node, , pod, backend, hostNetworkNode] = groups;
  if (anOutsideClient !== undefined) return { kind: "outside", name: "outside" };
  if (outsideName !== undefined) return { kind: "outside", name: outsideName };
  if (host !== undefined) return { kind: "host" };
  if (node !== undefined) return { kind: "clientPod", node: nodeNameOnThisCluster(node) };
  if (pod !== undefined) return { kind: "madePod", pod };
  if (backend !== undefined) return { kind: "backendPod", backend };
  if (hostNetworkNode !== undefined) return { kind: "hostNetwork", node: nodeNameOnThisCluster(hostNetworkNode) };
  return { kind: "clientPod" };
}

/**
 * The scenario's client a phrase names, from its registry, with no API call: clients made on first use are made
 * when they first send; "the pod c" must have been made by an earlier step (a typo lists the scenario's clients).
 */
export function clientOf(scenario: ScenarioContext, phrase: ClientPhrase): Client {
  switch (phrase.kind) {
    case "outside":
      return outsideClient(scenario, phrase.name);
    case "host":
      return hostClient(scenario);
    case "clientPod":
      return phrase.node === undefined ? clientPod(scenario) : clientPodOnNode(scenario, phrase.node);
    case "madePod":
      return madeClientPod(scenario, phrase.pod);
    case "backendPod":
      return backendPodClient(scenario, phrase.backend);
    case "hostNetwork":
      return hostNetworkClient(scenario, phrase.node);
  }
}
