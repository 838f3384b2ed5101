import { defineParameterType } from "@cucumber/cucumber";
import { parsePodSelection, podSelectionPattern } from "./chaos/selection.ts";
import type { TrafficTarget } from "./chaos/steady-traffic.ts";
import { clientOf, clientPattern, parseClientPhrase } from "./clients/phrases.ts";
import { endpointConditionPattern, parseEndpointConditions } from "./endpoints/conditions.ts";
import { nodeNameOnThisCluster } from "./nodes/names.ts";
import { clusterNode } from "./nodes/registry.ts";
import { fieldConditionPattern, parseFieldCondition } from "./objects/fields.ts";
import { parseWatchEvent } from "./objects/watch-events.ts";
import { expandRememberedIn } from "./scenario/remembered-values.ts";
import { Backend } from "./services/backend.ts";
import { parseLabels } from "./services/labels.ts";
import { Service } from "./services/service.ts";
import type { KubequakeWorld } from "./world.ts";

/**
 * Fills in `{remembered:<name>}` in the text a parameter captured before its transformer reads it, so a remembered
 * value works where a handle is made from text too (a node, a Service, a client on the remembered node): transformers
 * run before the step, when what earlier steps remembered is known.
 */
function withRemembered<T>(transform: (this: KubequakeWorld, ...groups: string[]) => T) {
  return function (this: KubequakeWorld, ...groups: (string | undefined)[]): T {
    const expanded = this?.hasScenario ? groups.map((group) => expandRememberedIn(this.scenario, group)) : groups;
    return transform.apply(this, expanded as string[]);
  };
}

defineParameterType({ name: "serviceType", regexp: /ClusterIP|NodePort|headless/, transformer: (s: string) => s });
defineParameterType({ name: "affinity", regexp: /ClientIP|None/, transformer: (s: string) => s });
defineParameterType({
  name: "killMode",
  regexp: /killed|force-deleted/,
  transformer: (s: string) => (s === "killed" ? "graceful" : "force"),
});
defineParameterType({
  name: "labels",
  regexp: /"([^"]*)"/,
  transformer: withRemembered((s: string) => parseLabels(s)),
});
defineParameterType({ name: "podFate", regexp: /killed|force-deleted|unready/, transformer: (s: string) => s });
defineParameterType({
  name: "nodeFault",
  regexp: /stopped|paused|cut off from the other nodes/,
  transformer: (s: string) => s,
});
defineParameterType({
  name: "podKill",
  regexp: /killed|force-deleted|SIGKILLed/,
  transformer: (s: string) => (s === "killed" ? "graceful" : s === "force-deleted" ? "force" : "sigkill"),
});
/** Where a backend's pods go relative to a node: `on` it only, or `away from` it. */
defineParameterType({ name: "placement", regexp: /on|away from/, transformer: (s: string) => s });
defineParameterType({ name: "dnsFailure", regexp: /SERVFAIL|NXDOMAIN/, transformer: (s: string) => s });
/** Which ready pods a fault takes: `2 pods` (the first by name), `1 random pod`, `50% of the pods` (seeded, printed). */
defineParameterType({
  name: "podSelection",
  regexp: podSelectionPattern,
  transformer: (percent?: string, random?: string, first?: string) => parsePodSelection(percent, random, first),
});
/**
 * Where steady traffic goes: `the ClusterIP of "web"` | `the load-balancer address of "web"` | `the NodePort of "web"
 * on node "n"` | a URL in quotes.
 */
defineParameterType({
  name: "trafficTarget",
  regexp:
    /the ClusterIP of "([^"]*)"|the load-balancer address of "([^"]*)"|the NodePort of "([^"]*)" on node "([^"]*)"|"([^"]*)"/,
  transformer: withRemembered(
    (
      clusterIPOf: string | undefined,
      lbService: string | undefined,
      nodePortService: string | undefined,
      node: string | undefined,
      url: string | undefined,
    ): TrafficTarget => {
      if (clusterIPOf !== undefined) return { clusterIPOf };
      if (lbService !== undefined) return { outside: { kind: "loadBalancer", service: lbService } };
      if (nodePortService !== undefined)
        return {
          outside: {
            kind: "nodePort",
            service: nodePortService,
            node: node === undefined ? undefined : nodeNameOnThisCluster(node),
          },
        };
      return { url: url ?? "" };
    },
  ),
});

/**
 * A backend of the scenario by name ("web"), from the scenario's registry of backends (no API call), checked before the
 * step acts: a typo lists the backends there are.
 */
defineParameterType({
  name: "backend",
  regexp: /"([^"]*)"/,
  transformer: withRemembered(function (this: KubequakeWorld, name: string) {
    return Backend.resolve(this.scenario, name);
  }),
});

/**
 * A Service the scenario made ("web"), from the scenario's registry of Services (no API call), checked before the step
 * acts: a typo lists the scenario's Services.
 */
defineParameterType({
  name: "service",
  regexp: /"([^"]*)"/,
  transformer: withRemembered(function (this: KubequakeWorld, name: string) {
    return Service.resolve(this.scenario, name);
  }),
});

/**
 * A node of the cluster by name ("kubequake-worker"), from the scenario's list of the cluster's nodes (read once, on
 * the first step that names a node): a typo lists the nodes there are.
 */
defineParameterType({
  name: "node",
  regexp: /"([^"]*)"/,
  transformer: withRemembered(function (this: KubequakeWorld, name: string) {
    return clusterNode(this.scenario, name);
  }),
});

/** A backquoted JSONPath of an object and what it should be: `spec.clusterIP` set, `spec.type` equal to "NodePort". */
defineParameterType({
  name: "fieldCondition",
  regexp: fieldConditionPattern,
  transformer: withRemembered((path: string, what: string) => parseFieldCondition(path, what)),
});

/**
 * A client of the scenario that sends traffic: a client pod | a client pod on node "n" | the pod "c" (made by "the
 * client pod … is:") | a pod of "web" | a hostNetwork client on node "n" | an outside client | the outside client
 * "alice" | the host. Found in the scenario's registry with no API call (made when it first sends); a typo in "the
 * pod" lists the scenario's clients.
 */
defineParameterType({
  name: "client",
  regexp: clientPattern,
  transformer: withRemembered(async function (this: KubequakeWorld, ...groups: (string | undefined)[]) {
    const phrase = parseClientPhrase(groups);
    // A client on a node: the node is checked as {node} checks it, so a typo lists the cluster's nodes at once.
    if ((phrase.kind === "clientPod" || phrase.kind === "hostNetwork") && phrase.node !== undefined) {
      await clusterNode(this.scenario, phrase.node);
    }
    return clientOf(this.scenario, phrase);
  }),
});

/** The type of a watch event, as a step names it: added, modified or deleted. */
defineParameterType({ name: "watchEvent", regexp: /added|modified|deleted/, transformer: parseWatchEvent });

/** A backquoted JSONPath of an object, as in {fieldCondition}: `spec.clusterIP`, `spec.ports[0].nodePort`. */
defineParameterType({ name: "fieldPath", regexp: /`([^`]+)`/, transformer: withRemembered((path: string) => path) });

/**
 * Conditions on a Service's EndpointSlices: "N [ready|unready|serving|terminating …] endpoint(s) [on node "n"]",
 * "port 8080[/TCP] [named "http"]", "addressType IPv4|IPv6|FQDN|of its ClusterIP", "[no ]zone|node hints", "managed-by "…"";
 * several joined by " and " hold at once.
 */
defineParameterType({
  name: "endpointCondition",
  regexp: endpointConditionPattern,
  transformer: withRemembered((text: string) => parseEndpointConditions(text)),
});
