import { defineParameterType } from "@cucumber/cucumber";
import { clusterNode } from "./nodes/registry.ts";
import { fieldConditionPattern, parseFieldCondition } from "./objects/fields.ts";
import { parsePodSender, podSenderPattern } from "./objects/sources.ts";
import { parseWatchEvent } from "./objects/watch-events.ts";
import { Backend } from "./services/backend.ts";
import { parseLabels } from "./services/labels.ts";
import { Service } from "./services/service.ts";
import type { KubequakeWorld } from "./world.ts";

defineParameterType({ name: "serviceType", regexp: /ClusterIP|NodePort|headless/, transformer: (s: string) => s });
defineParameterType({ name: "affinity", regexp: /ClientIP|None/, transformer: (s: string) => s });
defineParameterType({
  name: "killMode",
  regexp: /killed|force-deleted/,
  transformer: (s: string) => (s === "killed" ? "graceful" : "force"),
});
defineParameterType({ name: "labels", regexp: /"([^"]*)"/, transformer: (s: string) => parseLabels(s) });
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
defineParameterType({
  name: "trafficTarget",
  regexp: /the ClusterIP of "([^"]*)"|"([^"]*)"/,
  transformer: (service: string | undefined, url: string | undefined) =>
    service !== undefined ? { clusterIPOf: service } : { url: url ?? "" },
});

/**
 * A backend of the scenario by name ("web"), from the scenario's registry of backends (no API call), checked before the
 * step acts: a typo lists the backends there are.
 */
defineParameterType({
  name: "backend",
  regexp: /"([^"]*)"/,
  transformer: function (this: KubequakeWorld, name: string) {
    return Backend.resolve(this.scenario, name);
  },
});

/**
 * A Service the scenario made ("web"), from the scenario's registry of Services (no API call), checked before the step
 * acts: a typo lists the scenario's Services.
 */
defineParameterType({
  name: "service",
  regexp: /"([^"]*)"/,
  transformer: function (this: KubequakeWorld, name: string) {
    return Service.resolve(this.scenario, name);
  },
});

/**
 * A node of the cluster by name ("kubequake-worker"), from the scenario's list of the cluster's nodes (read once, on
 * the first step that names a node): a typo lists the nodes there are.
 */
defineParameterType({
  name: "node",
  regexp: /"([^"]*)"/,
  transformer: function (this: KubequakeWorld, name: string) {
    return clusterNode(this.scenario, name);
  },
});

/** A backquoted JSONPath of an object and what it should be: `spec.clusterIP` set, `spec.type` equal to "NodePort". */
defineParameterType({
  name: "fieldCondition",
  regexp: fieldConditionPattern,
  transformer: (path: string, what: string) => parseFieldCondition(path, what),
});

/** A sender inside the cluster: the pod "c" (made by "the client pod … is:"), a pod of "web", a hostNetwork client on node "n". */
defineParameterType({ name: "podSender", regexp: podSenderPattern, transformer: parsePodSender });

/** The type of a watch event, as a step names it: added, modified or deleted. */
defineParameterType({ name: "watchEvent", regexp: /added|modified|deleted/, transformer: parseWatchEvent });
