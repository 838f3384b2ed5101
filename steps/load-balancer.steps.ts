/*
 * LoadBalancer Services (MetalLB in L2 mode on the kubequake cluster): the address and the time it took, the fields
 * of each Service type as a Service moves between them, and loadBalancerSourceRanges. Traffic to the address goes
 * through the outside-world steps (steps/outside.steps.ts): `the host sends 10 requests to the load-balancer address
 * of "web"`, `within 20 seconds none of 10 requests from the outside client "bob" to … succeeds`.
 */
import { Given, Then, When } from "@cucumber/cucumber";
import { waitUntilMetallbWhole } from "../support/chaos/metallb-faults.ts";
import {
  admitOnlyOutsideClient,
  changeType,
  deployBehindLoadBalancer,
  expectAddressKept,
  expectAddressWithin,
  expectAnnouncingNodes,
  expectTypeFields,
  waitUntilHealthCheckNodePortReleased,
} from "../support/outside/load-balancer.ts";
import type { Service } from "../support/services/service.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** The demo backend behind a LoadBalancer Service of the same name; the address assignment is timed from creation. */
Given(
  "the demo backend runs {int} replica(s) behind the load-balancer Service {string}",
  async function (this: KubequakeWorld, replicas: number, service: string) {
    await deployBehindLoadBalancer(this.scenario, { service, replicas });
  },
);

/** As above, with sessionAffinity ClientIP (kube-proxy keys it on the client address the node sees). */
Given(
  "the demo backend runs {int} replica(s) behind the load-balancer Service {string} with ClientIP session affinity",
  async function (this: KubequakeWorld, replicas: number, service: string) {
    await deployBehindLoadBalancer(this.scenario, { service, replicas, sessionAffinity: "ClientIP" });
  },
);

/** The address arrives at most N seconds after the Service became a LoadBalancer; the time taken is attached. */
Then(
  "the Service {service} gets a load-balancer address within {int} second(s)",
  async function (this: KubequakeWorld, service: Service, seconds: number) {
    await expectAddressWithin(service, seconds);
  },
);

/** The address is still the one "gets a load-balancer address" saw (e.g. after a change of its ports or NodePort). */
Then(
  "the Service {service} still has the load-balancer address it got",
  async function (this: KubequakeWorld, service: Service) {
    await expectAddressKept(service);
  },
);

/**
 * The healthCheckNodePort the Service has, or had before a step of this scenario changed its type, answers 200 on no
 * node (refused or 503), two rounds in a row: kube-proxy released it. Probed from the host.
 */
Then(
  "within {int} second(s) the health-check NodePort that {service} had answers 200 on no node",
  async function (this: KubequakeWorld, seconds: number, service: Service) {
    await waitUntilHealthCheckNodePortReleased(service, seconds);
  },
);

/** Changes only spec.type (ClusterIP, NodePort or LoadBalancer); Kubernetes drops what the new type does not use. */
When(
  "the Service {service} changes to type {word}",
  async function (this: KubequakeWorld, service: Service, type: string) {
    await changeType(service, type);
  },
);

/** The fields Kubernetes documents for the type are set, the others cleared; the ClusterIP (and NodePort) are kept. */
Then(
  "within {int} second(s) the Service {service} has the fields of a {word} Service",
  async function (this: KubequakeWorld, seconds: number, service: Service, type: string) {
    await expectTypeFields(service, type, seconds);
  },
);

/** spec.loadBalancerSourceRanges = the outside client's address/32: every other source is kept out. */
When(
  "the load balancer of {service} admits only the outside client {string}",
  async function (this: KubequakeWorld, service: Service, client: string) {
    await admitOnlyOutsideClient(service, client);
  },
);

/** MetalLB's ServiceL2Status: one node's speaker answers ARP for the address (the elected one). */
Then(
  "within {int} second(s) the load balancer announces the address of {service} from one node",
  async function (this: KubequakeWorld, seconds: number, service: Service) {
    await expectAnnouncingNodes(service, 1, seconds);
  },
);

/** No speaker announces the address: MetalLB withdraws it while the Service has no ready endpoint. */
Then(
  "within {int} second(s) the load balancer announces the address of {service} from no node",
  async function (this: KubequakeWorld, seconds: number, service: Service) {
    await expectAnnouncingNodes(service, 0, seconds);
  },
);

/**
 * MetalLB is whole: its controller and every speaker ready, and each load-balancer address of the scenario announced
 * by one node (after a node comes back MetalLB can crash-loop for about a minute before it is).
 */
Then("within {int} second(s) MetalLB is whole again", async function (this: KubequakeWorld, seconds: number) {
  await waitUntilMetallbWhole(this.scenario, seconds);
});
