import { Then } from "@cucumber/cucumber";
import {
  expectLookupsFail,
  expectResolves,
  expectResolvesToClusterIP,
  expectResolvesToPods,
  expectSrvRecords,
} from "../support/dns/expectations.ts";
import type { Backend } from "../support/services/backend.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** A records (from a client pod, via cluster DNS) equal the IPs of the backend's N ready pods. */
Then(
  "within {int} second(s) {string} resolves to the IPs of the {int} ready pod(s) of {backend}",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: Backend) {
    await expectResolvesToPods(this.scenario, { name, backend: backend.name, count, includeUnready: false, seconds });
  },
);

/** A records include unready pods too (a headless Service with publishNotReadyAddresses). */
Then(
  "within {int} second(s) {string} resolves to the IPs of all {int} pod(s) of {backend}, ready or not",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: Backend) {
    await expectResolvesToPods(this.scenario, { name, backend: backend.name, count, includeUnready: true, seconds });
  },
);

/** A per-pod name (e.g. a StatefulSet's web-0.web) resolves to exactly that pod's IP. */
Then(
  "within {int} second(s) {string} resolves to the IP of pod {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, pod: string) {
    await expectResolves(this.scenario, { name, seconds, pod });
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
    await expectSrvRecords(this.scenario, { name, port, count, backend: backend.name, seconds });
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
