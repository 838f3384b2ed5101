import { Then, When } from "@cucumber/cucumber";
import { readyPodsOf } from "../support/services/backends.ts";
import { attachConvergence, attachTraffic } from "../support/traffic/attachments.ts";
import { sendTraffic, sendTrafficFromClients } from "../support/traffic/client.ts";
import { trafficConverges } from "../support/traffic/convergence.ts";
import {
  expectAllRefused,
  expectAllSucceeded,
  expectAtLeastPods,
  expectEachClientSticky,
  expectEvenSplit,
  expectEveryPodAnswered,
  expectOnlyPods,
  expectSinglePod,
} from "../support/traffic/expectations.ts";
import type { KubequakeWorld } from "../support/world.ts";

When(
  "a client pod sends {int} requests to {string}",
  async function (this: KubequakeWorld, count: number, url: string) {
    this.lastTraffic = [await sendTraffic(this.scenario, { url, count })];
    await attachTraffic(this, this.lastTraffic);
  },
);

When(
  "a client pod sends {int} requests to {string}, {int} second(s) apart",
  async function (this: KubequakeWorld, count: number, url: string, seconds: number) {
    const intervalMs = seconds * 1000;
    this.lastTraffic = [
      await sendTraffic(this.scenario, {
        url,
        count,
        concurrency: 1,
        intervalMs,
        maxDurationMs: count * intervalMs + 5000,
      }),
    ];
    await attachTraffic(this, this.lastTraffic);
  },
);

When(
  "{int} client pods each send {int} requests to {string}",
  async function (this: KubequakeWorld, clients: number, count: number, url: string) {
    this.lastTraffic = await sendTrafficFromClients(this.scenario, clients, { url, count });
    await attachTraffic(this, this.lastTraffic);
  },
);

Then("every request succeeds", function (this: KubequakeWorld) {
  for (const result of this.lastTraffic) expectAllSucceeded(result);
});

Then("every request is refused", function (this: KubequakeWorld) {
  expectAllRefused(this.traffic);
});

Then(
  "every ready pod of {string} answered at least {int} requests",
  async function (this: KubequakeWorld, backend: string, minimum: number) {
    expectEveryPodAnswered(
      this.traffic,
      (await readyPodsOf(this.scenario, backend)).map((p) => p.name),
      minimum,
    );
  },
);

Then(
  "the requests split evenly over the ready pods of {string} within {int}%",
  async function (this: KubequakeWorld, backend: string, tolerance: number) {
    expectEvenSplit(
      this.traffic,
      (await readyPodsOf(this.scenario, backend)).map((p) => p.name),
      tolerance,
    );
  },
);

Then("only pods of {string} answered", async function (this: KubequakeWorld, backend: string) {
  expectOnlyPods(
    this.traffic,
    (await readyPodsOf(this.scenario, backend)).map((p) => p.name),
    backend,
  );
});

Then("every request was answered by the same pod", function (this: KubequakeWorld) {
  expectSinglePod(this.traffic);
});

Then("the requests were answered by at least {int} different pods", function (this: KubequakeWorld, minimum: number) {
  expectAtLeastPods(this.lastTraffic, minimum);
});

Then("each client was answered by a single pod", function (this: KubequakeWorld) {
  expectEachClientSticky(this.lastTraffic);
});

Then(
  "within {int} second(s) {int} requests to {string} are answered by exactly the ready pods of {string}",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string, backend: string) {
    const convergence = await trafficConverges(
      this.scenario,
      {
        url,
        count,
        timeoutMs: seconds * 1000,
        description: `${count} requests to ${url} are answered by exactly the ready pods of ${backend}`,
      },
      async () => (await readyPodsOf(this.scenario, backend)).map((p) => p.name).sort(),
      (batch, ready) => batch.summary.failed === 0 && Object.keys(batch.summary.byPod).sort().join() === ready.join(),
    );
    await attachConvergence(this, convergence);
  },
);

Then(
  "within {int} second(s) {int} requests to {string} are all answered by the same pod",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string) {
    const convergence = await trafficConverges(
      this.scenario,
      {
        url,
        count,
        timeoutMs: seconds * 1000,
        description: `${count} requests to ${url} are all answered by the same pod`,
      },
      async () => 1,
      (batch) => batch.summary.failed === 0 && Object.keys(batch.summary.byPod).length === 1,
    );
    await attachConvergence(this, convergence);
  },
);

Then(
  "within {int} second(s) {int} requests to {string} are answered by at least {int} different pods",
  async function (this: KubequakeWorld, seconds: number, count: number, url: string, minimum: number) {
    const convergence = await trafficConverges(
      this.scenario,
      {
        url,
        count,
        timeoutMs: seconds * 1000,
        description: `${count} requests to ${url} are answered by at least ${minimum} different pods`,
      },
      async () => minimum,
      (batch, want) => batch.summary.failed === 0 && Object.keys(batch.summary.byPod).length >= want,
    );
    await attachConvergence(this, convergence);
  },
);
