import { When } from "@cucumber/cucumber";
import { rememberWorkerWithoutClients } from "../support/nodes/placement.ts";
import { rememberField } from "../support/objects/fields.ts";
import { rememberAnnouncingNode } from "../support/outside/load-balancer.ts";
import type { Backend } from "../support/services/backend.ts";
import { rememberReadyPod } from "../support/services/remembered-pods.ts";
import type { Service } from "../support/services/service.ts";
import { rememberAnsweringPod } from "../support/traffic/answers.ts";
import { lastTraffic } from "../support/traffic/client.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * Remembers what one field (a backquoted JSONPath) of an object of the scenario holds now, by a name of your own. A
 * later step uses it as `{remembered:<name>}` wherever a value goes: a URL, an inline manifest or patch, an expected
 * field value, a node or pod name. E.g. a Service's ClusterIP before it is recreated (`spec.clusterIP`), an allocated
 * NodePort (`spec.ports[0].nodePort`), the node of a pod (`spec.nodeName` of the Pod "{remembered:pinned}"), a
 * pod's IP (`status.podIP`). `kubequake lint` reports a name used before a step remembers it.
 */
When(
  "the field {fieldPath} of the {word} {string} is remembered as {string}",
  async function (this: KubequakeWorld, path: string, kind: string, name: string, as: string) {
    await rememberField(this.scenario, { kind, name, namespace: this.scenario.name }, path, as);
  },
);

/** As above, read only, for an object outside the scenario (the cluster DNS Service in kube-system). */
When(
  "the field {fieldPath} of the {word} {string} in namespace {string} is remembered as {string}",
  async function (this: KubequakeWorld, path: string, kind: string, name: string, namespace: string, as: string) {
    await rememberField(this.scenario, { kind, name, namespace }, path, as);
  },
);

/** Remembers the name of a ready pod of the backend (the first by name), e.g. to delete exactly that pod later. */
When(
  "a ready pod of {backend} is remembered as {string}",
  async function (this: KubequakeWorld, backend: Backend, as: string) {
    await rememberReadyPod(backend, as);
  },
);

/** Remembers the pod that answered the newest answered request of the last traffic (e.g. the pod a client sticks to). */
When("the pod that answered the last request is remembered as {string}", function (this: KubequakeWorld, as: string) {
  rememberAnsweringPod(this.scenario, lastTraffic(this.scenario), as);
});

/** Remembers the node that announces the Service's load-balancer address (MetalLB L2's elected speaker). */
When(
  "the node announcing the load-balancer address of {service} is remembered as {string}",
  async function (this: KubequakeWorld, service: Service, as: string) {
    await rememberAnnouncingNode(service, as);
  },
);

/**
 * Remembers a worker on which none of the scenario's client pods runs (the first by name), e.g. the node to break
 * without breaking the scenario's own client: use it as the node "{remembered:<name>}".
 */
When("a worker without clients is remembered as {string}", async function (this: KubequakeWorld, as: string) {
  await rememberWorkerWithoutClients(this.scenario, as);
});
