import { Then, When } from "@cucumber/cucumber";
import {
  expectLookupsFail,
  expectResolves,
  expectResolvesToClusterIP,
  expectResolvesToPods,
  expectServiceSrvRecord,
  expectSrvRecords,
} from "../support/dns/expectations.ts";
import { lookUpOverTcp } from "../support/dns/lookup.ts";
import { expectOwnHostname } from "../support/dns/own-hostname.ts";
import { nodeNameOnThisCluster } from "../support/nodes/names.ts";
import type { Backend } from "../support/services/backend.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * A records (from a client pod, via cluster DNS) equal the IPs of the backend's N ready pods. In this and every DNS
 * step, `{namespace}` in a name stands for the scenario's namespace, so full names can be written:
 * "web.{namespace}.svc.cluster.local".
 */
Then(
  "within {int} second(s) {string} resolves to the IPs of the {int} ready pod(s) of {backend}",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: Backend) {
    await expectResolvesToPods(this.scenario, { name, backend, count, includeUnready: false, seconds });
  },
);

/** A records include unready pods too (a headless Service with publishNotReadyAddresses). */
Then(
  "within {int} second(s) {string} resolves to the IPs of all {int} pod(s) of {backend}, ready or not",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: Backend) {
    await expectResolvesToPods(this.scenario, { name, backend, count, includeUnready: true, seconds });
  },
);

/** A per-pod name (e.g. a StatefulSet's web-0.web) resolves to exactly that pod's IP. */
Then(
  "within {int} second(s) {string} resolves to the IP of pod {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, pod: string) {
    await expectResolves(this.scenario, { name, seconds, pod });
  },
);

/**
 * As above, looked up from a named pod of the scenario through its own resolver, as `getent hosts` would: /etc/hosts
 * first, then cluster DNS. A pod resolving its own hostname or FQDN answers from the /etc/hosts the kubelet wrote.
 */
Then(
  "within {int} second(s) the pod {string} resolves {string} to the IP of pod {string}",
  async function (this: KubequakeWorld, seconds: number, from: string, name: string, pod: string) {
    await expectResolves(this.scenario, { name, seconds, pod, from });
  },
);

/** The name does not exist: the lookup answers NXDOMAIN. */
Then(
  "within {int} second(s) {string} does not resolve",
  async function (this: KubequakeWorld, seconds: number, name: string) {
    await expectResolves(this.scenario, { name, seconds, pod: undefined });
  },
);

/** SRV records (e.g. _http._tcp.db): one per ready pod, each naming the port, each target resolving to that pod. */
Then(
  "within {int} second(s) the SRV records of {string} name port {int} on each of the {int} ready pod(s) of {backend}",
  async function (this: KubequakeWorld, seconds: number, name: string, port: number, count: number, backend: Backend) {
    await expectSrvRecords(this.scenario, { name, port, count, backend, seconds });
  },
);

/** A Service with a ClusterIP: one SRV record per named port, naming the Service's own name (which answers its ClusterIP). */
Then(
  "within {int} second(s) the SRV record of {string} names port {int} of the Service {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, port: number, service: string) {
    await expectServiceSrvRecord(this.scenario, { name, port, service, seconds });
  },
);

/**
 * From here on, the scenario's lookups (every DNS step that names no pod) go over TCP, from a client pod whose
 * resolv.conf says `options use-vc`; before it, they go over UDP.
 */
When("the scenario's DNS lookups go over TCP", async function (this: KubequakeWorld) {
  await lookUpOverTcp(this.scenario);
});

/** The hostname the pod's processes see (`hostname` in a shell), read by an ephemeral container added to the pod. */
Then(
  "the pod {string} sees its own hostname as {string}",
  async function (this: KubequakeWorld, pod: string, hostname: string) {
    // A hostNetwork pod sees its node's hostname, written as the default cluster's node name.
    await expectOwnHostname(this.scenario, pod, nodeNameOnThisCluster(hostname));
  },
);

/** Lookups fail outright (timeouts, refused: cluster DNS is down), not NXDOMAIN. */
Then(
  "within {int} second(s) lookups of {string} fail",
  async function (this: KubequakeWorld, seconds: number, name: string) {
    await expectLookupsFail(this.scenario, { name, seconds });
  },
);

/** The name answers with the Service's ClusterIP (e.g. once cluster DNS is back). */
Then(
  "within {int} second(s) {string} resolves to the ClusterIP of {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, service: string) {
    await expectResolvesToClusterIP(this.scenario, { name, service, seconds });
  },
);
