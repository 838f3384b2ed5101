/*
 * A Service's IP families on a dual-stack cluster (@needs:ipv6): its ClusterIPs per family, a change of its
 * ipFamilyPolicy, and the name's A and AAAA records. Requests to one family's ClusterIP go through the traffic steps
 * with the placeholder `{clusterIP:web:IPv6}` (support/traffic/addresses.ts).
 */
import { Then, When } from "@cucumber/cucumber";
import { expectNoAddressOfFamily, expectResolvesToClusterIPOfFamily } from "../support/dns/expectations.ts";
import {
  changeIpFamilyPolicy,
  expectClusterIPFamilies,
  expectEndpointsOfFamily,
} from "../support/services/families.ts";
import type { Service } from "../support/services/service.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** spec.clusterIPs holds one address of each family named, in that order (the first is the primary family). */
Then(
  "within {int} second(s) the Service {service} has ClusterIPs of the families {string}",
  async function (this: KubequakeWorld, seconds: number, service: Service, families: string) {
    await expectClusterIPFamilies(service, families, seconds);
  },
);

/** SingleStack, PreferDualStack or RequireDualStack; the API server adds or releases the second family's ClusterIP. */
When(
  "the Service {service} changes its IP family policy to {word}",
  async function (this: KubequakeWorld, service: Service, policy: string) {
    await changeIpFamilyPolicy(service, policy);
  },
);

/** IPv4: the A record; IPv6: the AAAA record. */
Then(
  "within {int} second(s) {string} resolves to the {word} ClusterIP of {string}",
  async function (this: KubequakeWorld, seconds: number, name: string, family: string, service: string) {
    await expectResolvesToClusterIPOfFamily(this.scenario, { name, service, family, seconds });
  },
);

/** No record of that family, while the name resolves in the other (a single-stack Service on a dual-stack cluster). */
Then(
  "within {int} second(s) {string} has no {word} address",
  async function (this: KubequakeWorld, seconds: number, name: string, family: string) {
    await expectNoAddressOfFamily(this.scenario, { name, family, seconds });
  },
);

/**
 * The v1 Endpoints object (deprecated since Kubernetes 1.33, still written) lists one family only, the Service's
 * primary one, while its EndpointSlices carry every family: what a consumer still reading Endpoints sees.
 */
Then(
  "within {int} second(s) the Endpoints of {service} list {int} ready address(es), all {word}",
  async function (this: KubequakeWorld, seconds: number, service: Service, count: number, family: string) {
    await expectEndpointsOfFamily(service, { count, familyText: family, seconds });
  },
);
