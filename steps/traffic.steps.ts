import { Then, When } from "@cucumber/cucumber";
import { type Client, sendPaced } from "../support/clients/client.ts";
import { clientPod, sendFromClientPods } from "../support/clients/registry.ts";
import type { Backend } from "../support/services/backend.ts";
import { reportTraffic } from "../support/traffic/attachments.ts";
import {
  expectEvenSplitOverReadyPods,
  expectEveryReadyPodAnswered,
  expectOnlyReadyPodsAnswered,
} from "../support/traffic/backend-answers.ts";
import { lastTrafficCombined } from "../support/traffic/client.ts";
import { trafficReachesExactly, trafficSpreadsOver, trafficSticksToOnePod } from "../support/traffic/convergence.ts";
import {
  expectAllRefused,
  expectAllSucceeded,
  expectAllTimedOut,
  expectAtLeastPods,
  expectEachClientSticky,
  expectSinglePod,
} from "../support/traffic/expectations.ts";
import { checkJudgedTraffic } from "../support/traffic/judged.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * Sends requests from a client of the scenario ({client}: a client pod, a client pod on node "n", the pod "c", a pod
 * of "web", a hostNetwork client on node "n", an outside client, the host), a new connection each; records every
 * answer. The URL is http://…, tcp://host:port (a connection is a success) or udp://host:port (a datagram answered is
 * a success). In the URL of this and every other step, `{clusterIP:<service>}` stands for a Service's ClusterIP (for
 * a Service the scenario deleted: the one it had; `{clusterIP:<service>:IPv6}` for its ClusterIP of a family),
 * `{nodeIP:<node>}` for a node's InternalIP, `{nodePort:<service>}` for the NodePort the API server gave the Service
 * (`{nodePort:<service>:<port name>}` for one of several ports) and `{loadBalancerIP:<service>}` for its
 * load-balancer address (`{loadBalancerIP:<service>:IPv6}` of a family), all read when sent; IPv6 ones in brackets.
 */
When(
  "{client} sends {int} request(s) to {string}",
  async function (this: KubequakeWorld, client: Client, count: number, url: string) {
    await reportTraffic(this.scenario, [await client.send({ url, count })]);
  },
);

/** Paced requests: one every N seconds (e.g. to let a ClientIP affinity timeout expire between them). */
When(
  "a client pod sends {int} request(s) to {string}, {int} second(s) apart",
  async function (this: KubequakeWorld, count: number, url: string, seconds: number) {
    await reportTraffic(this.scenario, [
      await sendPaced(clientPod(this.scenario), { url, count, intervalSeconds: seconds }),
    ]);
  },
);

/**
 * Paced requests with a time limit: the client starts no request after M seconds, and the requests it did not start
 * are reported as not sent (every check of them then fails, naming how many).
 */
When(
  "a client pod sends {int} request(s) to {string}, {int} second(s) apart, for at most {int} second(s)",
  async function (this: KubequakeWorld, count: number, url: string, seconds: number, limit: number) {
    await reportTraffic(this.scenario, [
      await sendPaced(clientPod(this.scenario), { url, count, intervalSeconds: seconds, budgetSeconds: limit }),
    ]);
  },
);

/** The same requests from several client pods at once, each with its own pod IP (for ClientIP affinity). */
When(
  "{int} client pod(s) each send(s) {int} request(s) to {string}",
  async function (this: KubequakeWorld, clients: number, count: number, url: string) {
    await reportTraffic(this.scenario, await sendFromClientPods(this.scenario, clients, { url, count }));
  },
);

/** Every request of the last traffic (all clients) got a 2xx answer. */
Then("every request succeeds", function (this: KubequakeWorld) {
  expectAllSucceeded(lastTrafficCombined(this.scenario));
});

/** Every request was refused (connection refused, as kube-proxy does for a Service without endpoints). */
Then("every request is refused", function (this: KubequakeWorld) {
  expectAllRefused(lastTrafficCombined(this.scenario));
});

/** Every request timed out: unanswered, not refused (e.g. dropped on its way to a ClusterIP without rules). */
Then("every request times out", function (this: KubequakeWorld) {
  expectAllTimedOut(lastTrafficCombined(this.scenario));
});

/**
 * Each currently ready pod of the backend answered at least N of the last requests. This check and the stickiness,
 * spread and "answered" checks below also judge the scenario's steady traffic, when it has some, and say which
 * traffic they judged.
 */
Then(
  "every ready pod of {backend} answered at least {int} request(s)",
  async function (this: KubequakeWorld, backend: Backend, minimum: number) {
    await expectEveryReadyPodAnswered(backend, minimum);
  },
);

/** No ready pod's share is more than N% away from an even split (silent pods count as 0). */
Then(
  "the requests split evenly over the ready pods of {backend} within {int}%",
  async function (this: KubequakeWorld, backend: Backend, tolerance: number) {
    await expectEvenSplitOverReadyPods(backend, tolerance);
  },
);

/** Only the backend's ready pods answered (e.g. pods not matching the selector got nothing). */
Then("only pods of {backend} answered", async function (this: KubequakeWorld, backend: Backend) {
  await expectOnlyReadyPodsAnswered(backend);
});

/**
 * Stickiness: none of the last requests failed, and one pod answered them all (requests opened at the same moment
 * before the client's first answer may have picked another pod: ClientIP affinity is recorded per connection).
 */
Then("every request was answered by the same pod", async function (this: KubequakeWorld) {
  await checkJudgedTraffic(this.scenario, (t) => expectSinglePod(t.combined));
});

/** Spread: the last requests (all clients together) reached at least N pods. */
Then(
  "the requests were answered by at least {int} different pod(s)",
  async function (this: KubequakeWorld, minimum: number) {
    await checkJudgedTraffic(this.scenario, (t) => expectAtLeastPods(t.combined, minimum));
  },
);

/** Per-client stickiness: each client of the last traffic was answered by one pod only (as the step above). */
Then("each client was answered by a single pod", async function (this: KubequakeWorld) {
  await checkJudgedTraffic(this.scenario, (t) => expectEachClientSticky(t.results));
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
