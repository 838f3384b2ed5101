import { Then, When } from "@cucumber/cucumber";
import type { Client } from "../support/clients/client.ts";
import { createClientPod } from "../support/clients/described-pod.ts";
import { expectApiServes } from "../support/objects/api-discovery.ts";
import {
  deleteObject,
  expectPatchRejected,
  patchObject,
  pointAtService,
  setServiceSelector,
} from "../support/objects/change.ts";
import { waitForSlicesMatchingEndpoints } from "../support/objects/endpoint-slices.ts";
import { type FieldCondition, waitForAbsence, waitForField } from "../support/objects/fields.ts";
import {
  deleteCollection,
  expectCname,
  expectLabelledCount,
  expectListedInAllNamespaces,
  expectResolvesToServiceOf,
} from "../support/objects/lookups.ts";
import {
  expectClientIpPreserved,
  expectNoneSucceeded,
  waitUntilClientReaches,
  waitUntilUnreachable,
} from "../support/objects/reachability.ts";
import { patchStatus, replaceObject } from "../support/objects/replace.ts";
import { expectWatchEvent, startWatch, type WatchEventType } from "../support/objects/watch-events.ts";
import type { Backend } from "../support/services/backend.ts";
import { lastTraffic } from "../support/traffic/client.ts";
import { trafficReachesExactly } from "../support/traffic/convergence.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** Points an existing Service at other pods (its selector becomes exactly these labels); waits until it is in service. */
When(
  "the Service {string} selects pods labelled {labels}",
  async function (this: KubequakeWorld, service: string, selector: Record<string, string>) {
    await setServiceSelector(this.scenario, service, selector);
  },
);

/** Changes fields of an object of the scenario (a strategic merge patch, as kubectl patch); a Service is waited for. */
When(
  "the {word} {string} is patched with:",
  async function (this: KubequakeWorld, kind: string, name: string, patch: string) {
    await patchObject(this.scenario, { kind, name }, patch, this.scenario.source);
  },
);

/** Updates an object of the scenario with a PUT of the whole object (read, YAML merged in, written back), not a patch. */
When(
  "the {word} {string} is updated with:",
  async function (this: KubequakeWorld, kind: string, name: string, change: string) {
    await replaceObject(this.scenario, { kind, name, part: "object" }, change, this.scenario.source);
  },
);

/** Updates the status of an object through its /status subresource (a PUT of what was read, YAML merged in). */
When(
  "the status of the {word} {string} is updated with:",
  async function (this: KubequakeWorld, kind: string, name: string, change: string) {
    await replaceObject(this.scenario, { kind, name, part: "status" }, change, this.scenario.source);
  },
);

/** Changes the status of an object with a merge patch to its /status subresource (as a load-balancer controller). */
When(
  "the status of the {word} {string} is patched with:",
  async function (this: KubequakeWorld, kind: string, name: string, change: string) {
    await patchStatus(this.scenario, { kind, name }, change, this.scenario.source);
  },
);

/** The API server must refuse the patch, with a message containing the text (it fails if the patch is accepted). */
When(
  "the API server rejects patching the {word} {string} with {string}:",
  async function (this: KubequakeWorld, kind: string, name: string, message: string, patch: string) {
    await expectPatchRejected(this.scenario, { kind, name }, patch, this.scenario.source, message);
  },
);

/** Deletes an object of the scenario and waits until it is gone (a Service: and its NodePorts free for another). */
When("the {word} {string} is deleted", async function (this: KubequakeWorld, kind: string, name: string) {
  await deleteObject(this.scenario, { kind, name });
});

/** Deletes an object and returns at once: a pod then stays terminating for its grace period (e.g. while draining). */
When(
  "the {word} {string} is deleted without waiting for it to go",
  async function (this: KubequakeWorld, kind: string, name: string) {
    await deleteObject(this.scenario, { kind, name }, 0);
  },
);

/** Waits until a field (a backquoted JSONPath) of an object is set, equal to, containing, matching or between two numbers. */
Then(
  "within {int} second(s) the {word} {string} has {fieldCondition}",
  async function (this: KubequakeWorld, seconds: number, kind: string, name: string, condition: FieldCondition) {
    await waitForField(this.scenario.kube, { kind, name, namespace: this.scenario.name }, condition, seconds);
  },
);

/** Waits until an object of the scenario is gone (e.g. the Endpoints of a deleted Service). */
Then(
  "within {int} second(s) the {word} {string} does not exist",
  async function (this: KubequakeWorld, seconds: number, kind: string, name: string) {
    await waitForAbsence(this.scenario.kube, { kind, name, namespace: this.scenario.name }, seconds);
  },
);

/** Reads, never writes, an object outside the scenario (the `kubernetes` Service in default, kube-system pods). */
Then(
  "the {word} {string} in namespace {string} has {fieldCondition}",
  async function (this: KubequakeWorld, kind: string, name: string, namespace: string, condition: FieldCondition) {
    await waitForField(this.scenario.kube, { kind, name, namespace }, condition, 0);
  },
);

/** The Service's EndpointSlices hold exactly the addresses and ports of its Endpoints (e.g. mirrored from hand-made ones). */
Then(
  "within {int} second(s) the EndpointSlices of the Service {string} hold exactly the addresses and ports of its Endpoints",
  async function (this: KubequakeWorld, seconds: number, service: string) {
    await waitForSlicesMatchingEndpoints(this.scenario.kube, { service, namespace: this.scenario.name, seconds });
  },
);

/** As above, read only, for a Service outside the scenario (the `kubernetes` Service in default). */
Then(
  "the EndpointSlices of the Service {string} in namespace {string} hold exactly the addresses and ports of its Endpoints",
  async function (this: KubequakeWorld, service: string, namespace: string) {
    await waitForSlicesMatchingEndpoints(this.scenario.kube, { service, namespace, seconds: 0 });
  },
);

/** A client pod shaped by YAML (pod-level `spec:` fields such as dnsPolicy, dnsConfig, hostname, subdomain). */
When("the client pod {string} is:", async function (this: KubequakeWorld, name: string, yaml: string) {
  await createClientPod(this.scenario, name, yaml, this.scenario.source);
});

/** Sends batches until none of N requests to the URL succeeds (a deleted Service, a removed port). */
Then(
  "within {int} second(s) none of {int} request(s) to {string} succeeds",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string) {
    await waitUntilUnreachable(this.scenario, { url, count, seconds });
  },
);

/**
 * Sends batches from a client until every request succeeds (e.g. kube-proxy on the pod "c"'s node programmed the
 * Service; a pod of "web" reaching itself through its own Service).
 */
Then(
  "within {int} second(s) {int} request(s) from {client} to {string} all succeed",
  async function (this: KubequakeWorld, seconds: number, count: number, client: Client, url: string) {
    await waitUntilClientReaches(client, { url, count, seconds });
  },
);

/**
 * Sends batches from a client (the pod "c", a pod of "web", a hostNetwork client on node "n", …) until one is
 * answered by exactly the backend's ready pods (all of them, nothing else, no failure), as Kubernetes' "Granular
 * Checks" dial a Service from a pod, an endpoint and a node. The URL may hold `{clusterIP:<service>}`,
 * `{nodeIP:<node>}` and `{nodePort:<service>:<port name>}`, and be udp://host:port (the demo backend answers UDP too).
 */
Then(
  "within {int} second(s) {int} request(s) from {client} to {string} are answered by exactly the ready pods of {backend}",
  async function (this: KubequakeWorld, seconds: number, count: number, from: Client, url: string, backend: Backend) {
    await trafficReachesExactly(this.scenario, { seconds, count, url, from }, backend);
  },
);

/** As "none of … succeeds" above, from a client (e.g. a hostNetwork client to a deleted NodePort). */
Then(
  "within {int} second(s) none of {int} request(s) from {client} to {string} succeeds",
  async function (this: KubequakeWorld, seconds: number, count: number, from: Client, url: string) {
    await waitUntilUnreachable(this.scenario, { url, count, seconds, from });
  },
);

/** No request of the last traffic succeeded, whatever the error. */
Then("no request succeeds", function (this: KubequakeWorld) {
  expectNoneSucceeded(lastTraffic(this.scenario));
});

/** Every answer saw the sending pod's own IP as the client address (no SNAT through the Service). */
Then("every answer saw the sending pod's IP as the client address", function (this: KubequakeWorld) {
  expectClientIpPreserved(lastTraffic(this.scenario));
});

/** A name looked up from the client pod answers the ClusterIP of a Service in any namespace (read only). */
Then(
  "within {int} second(s) {string} resolves to the ClusterIP of the Service {string} in namespace {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, service: string, namespace: string) {
    await expectResolvesToServiceOf(this.scenario, { name, service, namespace, seconds });
  },
);

/** As above, looked up from a named pod of the scenario (e.g. one with its own dnsConfig). */
Then(
  "within {int} second(s) the pod {string} resolves {string} to the ClusterIP of the Service {string} in namespace {string}",
  async function (
    this: KubequakeWorld,
    seconds: number,
    pod: string,
    name: string,
    service: string,
    namespace: string,
  ) {
    await expectResolvesToServiceOf(this.scenario, { name, pod, service, namespace, seconds });
  },
);

/** The name is an alias (CNAME) of the target, e.g. an ExternalName Service's externalName. */
Then(
  "within {int} second(s) {string} is an alias of {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, target: string) {
    await expectCname(this.scenario, { name, target, seconds });
  },
);

/** The name is an alias (CNAME) of a Service's fully qualified name (an ExternalName Service pointing at it). */
Then(
  "within {int} second(s) {string} is an alias of the Service {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, service: string) {
    await expectCname(this.scenario, { name, service, seconds });
  },
);

/** Changes only the type and externalName, as upstream's e2e does: the API server must drop the ClusterIP itself. */
When(
  "the Service {string} becomes an ExternalName for the Service {string}",
  async function (this: KubequakeWorld, name: string, target: string) {
    await pointAtService(this.scenario, name, target);
  },
);

/** Lists a kind across all namespaces (read only) and finds the object of the scenario's namespace among them. */
Then(
  "listing every {word} in all namespaces finds {string} of this scenario",
  async function (this: KubequakeWorld, kind: string, name: string) {
    await expectListedInAllNamespaces(this.scenario, { kind, name, namespace: this.scenario.name });
  },
);

/** As above, asking the API server only for objects carrying the labels (a label selector across all namespaces). */
Then(
  "listing every {word} labelled {labels} in all namespaces finds {string} of this scenario",
  async function (this: KubequakeWorld, kind: string, labels: Record<string, string>, name: string) {
    await expectListedInAllNamespaces(this.scenario, { kind, name, namespace: this.scenario.name, labels });
  },
);

/** Counts the objects of a kind carrying the labels in the scenario's namespace (the API server filters by label). */
Then(
  "listing every {word} labelled {labels} in this scenario's namespace finds {int}",
  async function (this: KubequakeWorld, kind: string, labels: Record<string, string>, count: number) {
    await expectLabelledCount(this.scenario, { kind, labels, count });
  },
);

/** The API server's discovery lists the resource: /apis has the group/version, /apis/<group> too, and it the resource. */
Then(
  "the API server serves {string} in {string}",
  async function (this: KubequakeWorld, resource: string, groupVersion: string) {
    await expectApiServes(this.scenario.kube, { resource, groupVersion });
  },
);

/** Deletes every object of a kind in the scenario's namespace carrying the labels (one deletecollection call). */
When(
  "every {word} labelled {labels} is deleted",
  async function (this: KubequakeWorld, kind: string, labels: Record<string, string>) {
    await deleteCollection(this.scenario, { kind, labels });
  },
);

/** Starts a watch on a kind's objects carrying the labels in the scenario's namespace; it records every later event. */
When(
  "a watch on every {word} labelled {labels} starts",
  async function (this: KubequakeWorld, kind: string, labels: Record<string, string>) {
    await startWatch(this.scenario, { kind, labels });
  },
);

/** The scenario's watch delivered the event for the object (added, modified, deleted). */
Then(
  "within {int} second(s) the watch saw the {word} {string} {watchEvent}",
  async function (this: KubequakeWorld, seconds: number, kind: string, name: string, type: WatchEventType) {
    await expectWatchEvent(this.scenario, { kind, name, type, seconds });
  },
);

/** As above, for an event whose object meets the condition (e.g. modified with an annotation set). */
Then(
  "within {int} second(s) the watch saw the {word} {string} {watchEvent} with {fieldCondition}",
  async function (
    this: KubequakeWorld,
    seconds: number,
    kind: string,
    name: string,
    type: WatchEventType,
    condition: FieldCondition,
  ) {
    await expectWatchEvent(this.scenario, { kind, name, type, condition, seconds });
  },
);
