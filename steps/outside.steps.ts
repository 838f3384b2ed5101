/*
 * The outside world: traffic from outside the cluster (a container on the kind network, or the host itself) to
 * NodePorts, load-balancer addresses and URLs, and what the backends saw of the sender.
 *
 * Phrases other steps can build on:
 *   {client}        an outside client | the outside client "alice" | the host | a client pod | a client pod on node "n"
 *                   | the pod "c" | a pod of "web" | a hostNetwork client on node "n"   (support/parameter-types.ts)
 *   {outsideTarget} the NodePort of "web" on every node | the NodePort of "web" on node "kubequake-worker"
 *                   | the load-balancer address of "web" | the URL "http://172.18.0.5:8080/"
 *                   | "the previous NodePort/load-balancer address of …": what a step last saw it have, now that it
 *                     has another or none (a NodePort moved by a patch, an address released by a type change)
 *   When {client} sends {int} request(s) to {outsideTarget}
 *   Then within {int} second(s) {int} request(s) from {client} to {outsideTarget} all succeed
 *   Then within {int} second(s) none of {int} request(s) from {client} to {outsideTarget} succeeds
 *   Then every answer saw the sender's own address
 *   Then every answer saw a rewritten client address, not the sender's
 *   Then within … are answered only by the nodes running a {podState} pod of {backend}   (externalTrafficPolicy Local)
 * Also here: NodePort collision and reuse, traffic policies, the healthCheckNodePort, ExternalName Services for
 * outside HTTP services (containers named ip-A-B-C-D.outside.test in the cluster's CoreDNS), terminating endpoints.
 * The last traffic is kept like any other, so "every request succeeds", "every request was answered by the same pod"
 * and "every request is refused" apply to it too. A new connection per request; an outside client may connect only
 * to the kind network.
 */
import { defineParameterType, Given, Then, When } from "@cucumber/cucumber";
import type { Client } from "../support/clients/client.ts";
import {
  expectSenderAddressRewritten,
  expectSenderAddressSeen,
  waitForHealthCheckNodePort,
  waitUntilAffinityShows,
  waitUntilAllAnswered,
  waitUntilNoneAnswered,
  waitUntilOnlyLocalNodesAnswer,
} from "../support/outside/expectations.ts";
import {
  backToClusterIP,
  pointExternalName,
  startOutsideService,
  waitForCname,
  waitUntilOutsideServiceAnswers,
} from "../support/outside/external-name.ts";
import { expectNodePortCollisionRejected, reuseReleasedNodePort } from "../support/outside/node-ports.ts";
import {
  parseTrafficPolicy,
  setTrafficPolicy,
  type TrafficPolicy,
  trafficPolicyPattern,
  waitUntilOnlyLocalClientsAnswered,
} from "../support/outside/policies.ts";
import { sendToTarget } from "../support/outside/send.ts";
import { type OutsideTarget, outsideTargetPattern, parseOutsideTarget } from "../support/outside/targets.ts";
import { deployLingeringBackend, expectAnsweredByTerminatingPods } from "../support/outside/terminating.ts";
import type { Backend } from "../support/services/backend.ts";
import type { Service } from "../support/services/service.ts";
import { attachTraffic, reportTraffic } from "../support/traffic/attachments.ts";
import { lastTraffic } from "../support/traffic/client.ts";
import type { KubequakeWorld } from "../support/world.ts";

defineParameterType({ name: "podState", regexp: /ready|terminating/, transformer: (s: string) => s });
defineParameterType({ name: "trafficPolicy", regexp: trafficPolicyPattern, transformer: parseTrafficPolicy });
defineParameterType({ name: "outsideTarget", regexp: outsideTargetPattern, transformer: parseOutsideTarget });

/** Sends requests, a new connection each; to a NodePort "on every node", N requests to each node's address. */
When(
  "{client} sends {int} request(s) to {outsideTarget}",
  async function (this: KubequakeWorld, client: Client, count: number, target: OutsideTarget) {
    await reportTraffic(this.scenario, await sendToTarget(this.scenario, client, target, count));
  },
);

/** Sends batches until every request of one batch is answered (each node, for "every node"); keeps that batch. */
Then(
  "within {int} second(s) {int} request(s) from {client} to {outsideTarget} all succeed",
  async function (this: KubequakeWorld, seconds: number, count: number, client: Client, target: OutsideTarget) {
    await attachTraffic(this.scenario, await waitUntilAllAnswered(this.scenario, { seconds, count, client, target }));
  },
);

/** Sends batches until one batch is all answered by one pod (e.g. after switching to ClientIP affinity); keeps it. */
Then(
  "within {int} second(s) {int} request(s) from {client} to {outsideTarget} are all answered by the same pod",
  async function (this: KubequakeWorld, seconds: number, count: number, client: Client, target: OutsideTarget) {
    const options = { seconds, count, client, target, sticky: true as const };
    await attachTraffic(this.scenario, await waitUntilAffinityShows(this.scenario, options));
  },
);

/** Sends batches until one batch is all answered and reaches at least N pods (e.g. after switching affinity to None). */
Then(
  "within {int} second(s) {int} request(s) from {client} to {outsideTarget} are answered by at least {int} different pod(s)",
  async function (
    this: KubequakeWorld,
    seconds: number,
    count: number,
    client: Client,
    target: OutsideTarget,
    minimumPods: number,
  ) {
    const options = { seconds, count, client, target, sticky: false as const, minimumPods };
    await attachTraffic(this.scenario, await waitUntilAffinityShows(this.scenario, options));
  },
);

/** Sends batches until no request of one batch is answered (refused, dropped or reset: any failure). */
Then(
  "within {int} second(s) none of {int} request(s) from {client} to {outsideTarget} succeeds",
  async function (this: KubequakeWorld, seconds: number, count: number, client: Client, target: OutsideTarget) {
    await waitUntilNoneAnswered(this.scenario, { seconds, count, client, target });
  },
);

/** Every request of the last traffic was answered and the backend saw the sender's own address (no SNAT). */
Then("every answer saw the sender's own address", function (this: KubequakeWorld) {
  expectSenderAddressSeen(lastTraffic(this.scenario));
});

/** Every request of the last traffic was answered, none from the sender's own address (kube-proxy SNATed it). */
Then("every answer saw a rewritten client address, not the sender's", function (this: KubequakeWorld) {
  expectSenderAddressRewritten(lastTraffic(this.scenario));
});

/** externalTrafficPolicy Local: sends until only nodes with a ready local pod answer (all, with it); keeps that batch. */
Then(
  "within {int} second(s) {int} request(s) from {client} to {outsideTarget} are answered only by the nodes running a {podState} pod of {backend}",
  async function (
    this: KubequakeWorld,
    seconds: number,
    count: number,
    client: Client,
    target: OutsideTarget,
    state: "ready" | "terminating",
    backend: Backend,
  ) {
    const options = { seconds, count, client, target, backend, state };
    await attachTraffic(this.scenario, await waitUntilOnlyLocalNodesAnswer(this.scenario, options));
  },
);

/** externalTrafficPolicy Local: the healthCheckNodePort says 200 where a ready pod runs and 503 on other nodes. */
Then(
  "within {int} second(s) the health-check NodePort of {service} answers 200 only on the nodes running a ready pod of {backend}",
  async function (this: KubequakeWorld, seconds: number, service: Service, backend: Backend) {
    await waitForHealthCheckNodePort(this.scenario, { seconds, service, backend });
  },
);

/** A second Service asking for the NodePort another holds is refused; the API server's message must contain the text. */
When(
  "the API server rejects a NodePort Service {string} on the NodePort of {service} with {string}",
  async function (this: KubequakeWorld, name: string, holder: Service, expected: string) {
    await expectNodePortCollisionRejected(this.scenario, { name, holder, expected });
  },
);

/** Deletes a NodePort Service and creates another (same selector) on the NodePort it held; waits until in service. */
When(
  "the Service {service} is deleted and a NodePort Service {string} takes its NodePort",
  async function (this: KubequakeWorld, holder: Service, name: string) {
    await reuseReleasedNodePort(this.scenario, { holder, name });
  },
);

/** Sets externalTrafficPolicy or internalTrafficPolicy; kube-proxy follows on its next sync (assert with "within"). */
When(
  "the Service {service} switches to {trafficPolicy}",
  async function (this: KubequakeWorld, service: Service, policy: TrafficPolicy) {
    await setTrafficPolicy(service, policy);
  },
);

/** internalTrafficPolicy Local: from a client pod on each node, only those on a node with a ready local pod get through. */
Then(
  "within {int} second(s) {int} request(s) to {string} from a client pod on each node succeed only where a ready pod of {backend} runs",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string, backend: Backend) {
    await waitUntilOnlyLocalClientsAnswered(this.scenario, { seconds, count, url, backend });
  },
);

/** An HTTP service outside the cluster (a demo backend container on the kind network), named in the outside.test zone. */
Given(
  "the outside HTTP service {string} runs on the kind network",
  async function (this: KubequakeWorld, label: string) {
    await startOutsideService(this.scenario, label);
  },
);

/** Creates the ExternalName Service, or turns a ClusterIP Service into one, pointing at the outside service's name. */
When(
  "the Service {string} is an ExternalName for the outside service {string}",
  async function (this: KubequakeWorld, name: string, label: string) {
    await pointExternalName(this.scenario, name, label);
  },
);

/** Turns an ExternalName Service back into a ClusterIP Service selecting the backend's pods; waits until in service. */
When(
  "the Service {string} becomes a ClusterIP Service for {backend}",
  async function (this: KubequakeWorld, name: string, backend: Backend) {
    await backToClusterIP(this.scenario, name, backend);
  },
);

/** The name (looked up from a client pod through cluster DNS) answers a CNAME to the outside service's name. */
Then(
  "within {int} second(s) {string} resolves to a CNAME for the outside service {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, label: string) {
    await waitForCname(this.scenario, { seconds, name, label });
  },
);

/** Requests from a client pod to http://<name>:8080/ are all answered by the outside service (through the CNAME). */
Then(
  "within {int} second(s) {int} request(s) from a client pod to {string} are answered by the outside service {string}",
  async function (this: KubequakeWorld, seconds: number, count: number, name: string, label: string) {
    await waitUntilOutsideServiceAnswers(this.scenario, { seconds, count, name, label });
  },
);

/** Deleted pods keep serving N seconds (a preStop sleep): their endpoints are terminating but serving meanwhile. */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}, each pod serving {int} second(s) after it is deleted",
  async function (this: KubequakeWorld, replicas: number, type: string, name: string, lingerSeconds: number) {
    await deployLingeringBackend(this.scenario, { name, replicas, type, lingerSeconds });
  },
);

/** As above, with publishNotReadyAddresses: unready and terminating pods stay ready endpoints. */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string} that publishes not-ready addresses, each pod serving {int} second(s) after it is deleted",
  async function (this: KubequakeWorld, replicas: number, type: string, name: string, lingerSeconds: number) {
    await deployLingeringBackend(this.scenario, { name, replicas, type, lingerSeconds, publishNotReady: true });
  },
);

/** Every request of the last traffic was answered by a pod of the backend that is terminating (deleted, still running). */
Then(
  "every request was answered by a terminating pod of {backend}",
  async function (this: KubequakeWorld, backend: Backend) {
    await expectAnsweredByTerminatingPods(lastTraffic(this.scenario), backend);
  },
);
