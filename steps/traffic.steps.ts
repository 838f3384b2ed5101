import { Then, When } from "@cucumber/cucumber";
import type { ClusterNode } from "../support/nodes/registry.ts";
import type { Backend } from "../support/services/backend.ts";
import { attachTraffic } from "../support/traffic/attachments.ts";
import {
  expectEvenSplitOverReadyPods,
  expectEveryReadyPodAnswered,
  expectOnlyReadyPodsAnswered,
} from "../support/traffic/backend-answers.ts";
import { sendPacedTraffic, sendTraffic, sendTrafficFromClients } from "../support/traffic/client.ts";
import { trafficReachesExactly, trafficSpreadsOver, trafficSticksToOnePod } from "../support/traffic/convergence.ts";
import {
  expectAllRefused,
  expectAllSucceeded,
  expectAtLeastPods,
  expectEachClientSticky,
  expectSinglePod,
} from "../support/traffic/expectations.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * Sends requests from an in-cluster client pod, a new TCP connection each; records every answer. In the URL of this
 * and every other step, `{clusterIP:<service>}` stands for a Service's ClusterIP (for a Service the scenario deleted:
 * the one it had), `{nodeIP:<node>}` for a node's InternalIP and `{nodePort:<service>}` for the NodePort the API
 * server gave the Service (`{nodePort:<service>:<port name>}` for one of several ports), all read when sent.
 */
When(
  "a client pod sends {int} request(s) to {string}",
  async function (this: KubequakeWorld, count: number, url: string) {
    this.lastTraffic = [await sendTraffic(this.scenario, { url, count })];
    await attachTraffic(this.scenario, this.lastTraffic);
  },
);

/** Sends requests from a client pod pinned to a node (by node name), e.g. to check routing from every node. */
When(
  "a client pod on node {node} sends {int} request(s) to {string}",
  async function (this: KubequakeWorld, node: ClusterNode, count: number, url: string) {
    this.lastTraffic = [await sendTraffic(this.scenario, { url, count }, 0, node)];
    await attachTraffic(this.scenario, this.lastTraffic);
  },
);

/** Paced requests: one every N seconds (e.g. to let a ClientIP affinity timeout expire between them). */
When(
  "a client pod sends {int} request(s) to {string}, {int} second(s) apart",
  async function (this: KubequakeWorld, count: number, url: string, seconds: number) {
    this.lastTraffic = [await sendPacedTraffic(this.scenario, { url, count, intervalSeconds: seconds })];
    await attachTraffic(this.scenario, this.lastTraffic);
  },
);

/**
 * Paced requests with a time limit: the client starts no request after M seconds, and the requests it did not start
 * are reported as not sent (every check of them then fails, naming how many).
 */
When(
  "a client pod sends {int} request(s) to {string}, {int} second(s) apart, for at most {int} second(s)",
  async function (this: KubequakeWorld, count: number, url: string, seconds: number, limit: number) {
    this.lastTraffic = [
      await sendPacedTraffic(this.scenario, { url, count, intervalSeconds: seconds, budgetSeconds: limit }),
    ];
    await attachTraffic(this.scenario, this.lastTraffic);
  },
);

/** The same requests from several client pods at once, each with its own pod IP (for ClientIP affinity). */
When(
  "{int} client pod(s) each send(s) {int} request(s) to {string}",
  async function (this: KubequakeWorld, clients: number, count: number, url: string) {
    this.lastTraffic = await sendTrafficFromClients(this.scenario, clients, { url, count });
    await attachTraffic(this.scenario, this.lastTraffic);
  },
);

/** Every request of the last traffic (all clients) got a 2xx answer. */
Then("every request succeeds", function (this: KubequakeWorld) {
  expectAllSucceeded(this.traffic);
});

/** Every request was refused (connection refused, as kube-proxy does for a Service without endpoints). */
Then("every request is refused", function (this: KubequakeWorld) {
  expectAllRefused(this.traffic);
});

/** Each currently ready pod of the backend answered at least N of the last requests. */
Then(
  "every ready pod of {backend} answered at least {int} request(s)",
  async function (this: KubequakeWorld, backend: Backend, minimum: number) {
    await expectEveryReadyPodAnswered(this.traffic, backend, minimum);
  },
);

/** No ready pod's share is more than N% away from an even split (silent pods count as 0). */
Then(
  "the requests split evenly over the ready pods of {backend} within {int}%",
  async function (this: KubequakeWorld, backend: Backend, tolerance: number) {
    await expectEvenSplitOverReadyPods(this.traffic, backend, tolerance);
  },
);

/** Only the backend's ready pods answered (e.g. pods not matching the selector got nothing). */
Then("only pods of {backend} answered", async function (this: KubequakeWorld, backend: Backend) {
  await expectOnlyReadyPodsAnswered(this.traffic, backend);
});

/**
 * Stickiness: none of the last requests failed, and one pod answered them all (requests opened at the same moment
 * before the client's first answer may have picked another pod: ClientIP affinity is recorded per connection).
 */
Then("every request was answered by the same pod", function (this: KubequakeWorld) {
  expectSinglePod(this.traffic);
});

/** Spread: the last requests (all clients together) reached at least N pods. */
Then("the requests were answered by at least {int} different pod(s)", function (this: KubequakeWorld, minimum: number) {
  expectAtLeastPods(this.traffic, minimum);
});

/** Per-client stickiness: each client of the last traffic was answered by one pod only (as the step above). */
Then("each client was answered by a single pod", function (this: KubequakeWorld) {
  expectEachClientSticky(this.lastTraffic);
});

/**
 * Sends batches until one is answered by exactly the backend's ready pods (all of them, nothing else, no failure);
 * reports how long after the last action traffic converged.
 */
Then(
  "within {int} second(s) {int} request(s) to {string} are answered by exactly the ready pods of {backend}",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string, backend: Backend) {
    await trafficReachesExactly(this.scenario, { seconds, count, url }, backend);
  },
);

/** Sends batches until one batch is answered by a single pod (e.g. after switching to ClientIP affinity). */
Then(
  "within {int} second(s) {int} request(s) to {string} are all answered by the same pod",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string) {
    await trafficSticksToOnePod(this.scenario, { seconds, count, url });
  },
);

/** Sends batches until one batch reaches at least N pods (e.g. after switching affinity to None). */
Then(
  "within {int} second(s) {int} request(s) to {string} are answered by at least {int} different pod(s)",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string, minimum: number) {
    await trafficSpreadsOver(this.scenario, { seconds, count, url }, minimum);
  },
);
