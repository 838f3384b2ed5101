import { Given, Then, When } from "@cucumber/cucumber";
import type { ClusterNode } from "../support/nodes/registry.ts";
import { type Placement, placeBackend } from "../support/scheduling/backend-placement.ts";
import type { Backend, PodKill } from "../support/services/backend.ts";
import { deployBackend } from "../support/services/backends.ts";
import {
  deployBehindService,
  deployFrontendBehindService,
  deployStatefulBehindHeadless,
} from "../support/services/exposure.ts";
import { makePodsReadyAgain } from "../support/services/readiness.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * Deploys the demo backend (pods labelled app=<name>, answering with their name, IP and node) behind a Service of the
 * same name, and waits until the Service is in service: ready endpoints, a resolvable name and answered requests.
 */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string) {
    await deployBehindService(this.scenario, { service, replicas, type });
  },
);

/** As above, with sessionAffinity ClientIP from the start (Kubernetes' default timeout, 10800 s). */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string} with ClientIP session affinity",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string) {
    await deployBehindService(this.scenario, { service, replicas, type, sessionAffinity: "ClientIP" });
  },
);

/** As above, with a ClientIP affinity timeout (sessionAffinityConfig.clientIP.timeoutSeconds). */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string} with ClientIP session affinity of {int} second(s)",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string, seconds: number) {
    await deployBehindService(this.scenario, {
      service,
      replicas,
      type,
      sessionAffinity: "ClientIP",
      affinityTimeoutSeconds: seconds,
    });
  },
);

/**
 * As above, with a graceful shutdown: on SIGTERM a pod keeps serving for N seconds (while the endpoint change reaches
 * every node), then exits. This is what a preStop delay gives a real workload.
 */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}, draining for {int} second(s) on shutdown",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string, seconds: number) {
    await deployBehindService(this.scenario, { service, replicas, type, shutdownDelaySeconds: seconds });
  },
);

/** As above, spread evenly over the schedulable nodes (the workers), so a node fault takes a known share away. */
Given(
  "the demo backend runs {int} replica(s) spread over the nodes behind the {serviceType} Service {string}",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string) {
    await deployBehindService(this.scenario, { service, replicas, type, spreadOverNodes: true });
  },
);

/** Deploys the demo backend as a Deployment named <name> (pods labelled app=<name>), without a Service. */
Given(
  "the demo backend {string} runs {int} replica(s)",
  async function (this: KubequakeWorld, name: string, replicas: number) {
    await deployBackend(this.scenario, name, replicas);
  },
);

/** A StatefulSet of demo backends governed by a headless Service, so each pod gets a DNS name <name>-<i>.<service>. */
Given(
  "the demo backend {string} runs {int} replica(s) as a StatefulSet behind the headless Service {string}",
  async function (this: KubequakeWorld, name: string, replicas: number, service: string) {
    await deployStatefulBehindHeadless(this.scenario, { name, replicas, service });
  },
);

/** The demo frontend <name>, behind a ClusterIP Service of the same name; every request it gets calls the URL. */
Given(
  "the demo frontend {string} calls {string}",
  async function (this: KubequakeWorld, name: string, backendUrl: string) {
    await deployFrontendBehindService(this.scenario, name, backendUrl);
  },
);

/** Deletes ready pods of a backend: "killed" uses the pod's grace period, "force-deleted" uses grace period 0. */
When(
  "{int} pod(s) of {backend} is/are {killMode}",
  async function (this: KubequakeWorld, count: number, backend: Backend, mode: PodKill) {
    await backend.kill(count, mode);
  },
);

/** Sets the replica count of a backend's Deployment or StatefulSet. */
When(
  "{backend} is scaled to {int} replica(s)",
  async function (this: KubequakeWorld, backend: Backend, replicas: number) {
    await backend.scale(replicas);
  },
);

/** Makes ready pods fail their readiness probe (through the demo's admin endpoint); they keep running. */
When(
  "{int} pod(s) of {backend} turn(s) unready",
  async function (this: KubequakeWorld, count: number, backend: Backend) {
    await backend.turnUnready(count);
  },
);

/** Makes the pods of the previous "turn(s) unready" step pass their readiness probe again. */
When("the unready pod(s) turn(s) ready again", async function (this: KubequakeWorld) {
  await makePodsReadyAgain(this.scenario);
});

/**
 * Checks that the pods made unready by an earlier "turn(s) unready" step on this backend were not deleted or restarted:
 * they are still Running and not terminating. Without such a step it fails: there would be nothing to check.
 */
Then("the unready pod(s) of {backend} is/are still running", async function (this: KubequakeWorld, backend: Backend) {
  await backend.expectUnreadyPodsRunning();
});

/**
 * Places a backend's pods on purpose (a required node affinity on the node's name) and waits until every replica runs
 * there, ready: `away from` a node a fault will break, to measure only what the fault does to the rest; `on` it.
 */
When(
  "within {int} second(s) the pods of {backend} all run {placement} the node {node}",
  async function (this: KubequakeWorld, seconds: number, backend: Backend, placement: Placement, node: ClusterNode) {
    await placeBackend(backend, placement, node, seconds);
  },
);
