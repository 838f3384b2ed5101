import { Then } from "@cucumber/cucumber";
import { expectResolves, expectResolvesToPods, expectSrvRecords } from "../support/dns/expectations.ts";
import type { KubequakeWorld } from "../support/world.ts";

Then(
  "within {int} second(s) {string} resolves to the IPs of the {int} ready pods of {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: string) {
    await expectResolvesToPods(this, { name, backend, count, includeUnready: false, seconds });
  },
);

Then(
  "within {int} second(s) {string} resolves to the IPs of all {int} pods of {string}, ready or not",
  async function (this: KubequakeWorld, seconds: number, name: string, count: number, backend: string) {
    await expectResolvesToPods(this, { name, backend, count, includeUnready: true, seconds });
  },
);

Then(
  "within {int} second(s) {string} resolves to the IP of pod {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, pod: string) {
    await expectResolves(this, { name, seconds, pod });
  },
);

Then(
  "within {int} second(s) {string} does not resolve",
  async function (this: KubequakeWorld, seconds: number, name: string) {
    await expectResolves(this, { name, seconds, pod: undefined });
  },
);

Then(
  "within {int} second(s) the SRV records of {string} name port {int} on each of the {int} ready pods of {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, port: number, count: number, backend: string) {
    await expectSrvRecords(this, { name, port, count, backend, seconds });
  },
);
