import { type DataTable, Given, Then, When } from "@cucumber/cucumber";
import { type EndpointCondition, readyEndpoints, waitForEndpointConditions } from "../support/endpoints/conditions.ts";
import {
  parseExpectedEndpoints,
  waitForEndpointObjects,
  waitForNoEndpointSlices,
} from "../support/endpoints/slices.ts";
import type { Action, ScenarioContext } from "../support/scenario/context.ts";
import type { Backend } from "../support/services/backend.ts";
import { exposeSelected } from "../support/services/exposure.ts";
import type { Service } from "../support/services/service.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** A Service selecting already-running pods by label; waits until it serves the ready ones (none is fine). */
Given(
  "the {serviceType} Service {string} selects pods labelled {labels}",
  async function (this: KubequakeWorld, type: string, name: string, selector: Record<string, string>) {
    await exposeSelected(this.scenario, { name, selector, type });
  },
);

/** A headless Service with publishNotReadyAddresses: unready pods stay in its endpoints and DNS records. */
Given(
  "the headless Service {string} selects pods labelled {labels} and publishes not-ready addresses",
  async function (this: KubequakeWorld, name: string, selector: Record<string, string>) {
    await exposeSelected(this.scenario, { name, selector, type: "headless", publishNotReadyAddresses: true });
  },
);

/** Changes a Service's sessionAffinity in place; kube-proxy applies it on its next sync (assert with "within"). */
When(
  "the Service {service} switches to session affinity {affinity}",
  async function (this: KubequakeWorld, service: Service, affinity: "ClientIP" | "None") {
    await service.switchAffinity(affinity);
  },
);

/** Waits on the Service's EndpointSlices (a watch); reports how long after the last action the count was reached. */
Then(
  "within {int} second(s) the Service {service} has {int} ready endpoint(s)",
  async function (this: KubequakeWorld, seconds: number, service: Service, count: number) {
    await waitForEndpointConditions(service, seconds, [readyEndpoints(count)]);
  },
);

/**
 * Waits until the Service's EndpointSlices meet a condition: endpoint counts by state ("2 ready endpoints", "1
 * serving terminating endpoint", "0 unready endpoints"), optionally on one node ("1 terminating endpoint on node
 * "kubequake-worker""), a port in every slice ("port 8080/TCP named "http""), "addressType IPv4" (or "addressType of
 * its ClusterIP": that family, on a cluster of either), "no zone hints", "managed-by "endpointslice-controller.k8s.io"";
 * several joined by "and" hold at once ("1 ready endpoint and 0 ready serving endpoints"). Timed by the Service's
 * EndpointSlice watch.
 */
Then(
  "within {int} second(s) the EndpointSlices of {service} have {endpointCondition}",
  async function (this: KubequakeWorld, seconds: number, service: Service, conditions: EndpointCondition[]) {
    await waitForEndpointConditions(service, seconds, conditions);
  },
);

/** The pods of the last kill/unready step are no longer ready endpoints (they may linger as terminating). */
Then(
  "within {int} second(s) the Service {service} no longer lists the {podFate} pod(s) as ready",
  async function (this: KubequakeWorld, seconds: number, service: Service, fate: Action["kind"]) {
    const pods = podsThatWere(this.scenario, fate);
    await waitForEndpointConditions(service, seconds, [{ kind: "notReady", pods }]);
  },
);

/** The Service's ready endpoints are exactly the backend's ready pods (by name). */
Then(
  "within {int} second(s) the ready endpoints of {service} are exactly the ready pods of {backend}",
  async function (this: KubequakeWorld, seconds: number, service: Service, backend: Backend) {
    await service.waitForExactlyPods(seconds, backend);
  },
);

/**
 * The Service's EndpointSlices and its Endpoints list exactly these pods with these ports (a table with the columns
 * pod, port name and port: the container port a named or numbered targetPort resolves to on that pod), as the
 * EndpointSlice controller makes them: labelled managed-by endpointslice-controller.k8s.io, one slice per set of
 * ports, each endpoint's targetRef the pod itself (uid too).
 */
Then(
  "within {int} second(s) the EndpointSlices and Endpoints of {service} list exactly:",
  async function (this: KubequakeWorld, seconds: number, service: Service, table: DataTable) {
    await waitForEndpointObjects(service, parseExpectedEndpoints(table.hashes()), seconds);
  },
);

/** A Service that selects no pod still gets one EndpointSlice (by the controller, no endpoint, no port) and Endpoints. */
Then(
  "within {int} second(s) the EndpointSlices and Endpoints of {service} list no endpoint",
  async function (this: KubequakeWorld, seconds: number, service: Service) {
    await waitForEndpointObjects(service, [], seconds);
  },
);

/** No EndpointSlice of the Service is left (after it was deleted, the garbage collector removes them). */
Then(
  "within {int} second(s) no EndpointSlice of {service} is left",
  async function (this: KubequakeWorld, seconds: number, service: Service) {
    await waitForNoEndpointSlices(service, seconds);
  },
);

function podsThatWere(scenario: ScenarioContext, fate: Action["kind"]): readonly string[] {
  // The newest action on pods: a manifest applied or a Service patched since does not change which pods were killed.
  const action = scenario.lastActionOf("killed", "force-deleted", "unready", "ready");
  if (action?.kind !== fate) {
    throw new Error(
      `expected the previous action on pods to have ${fate} pods, but it was: ${action?.description ?? "nothing yet"}`,
    );
  }
  // A check that none of no pods is listed would pass at once: an action that took no pod leaves nothing to judge.
  if (action.pods.length === 0) {
    throw new Error(`expected the previous action to have ${fate} pods, but it named none: ${action.description}`);
  }
  return action.pods;
}
