/** Which of e2e.test's specs a run selects (Ginkgo focus and skip regexps over the spec's full text). */
export interface TestSelection {
  readonly name: string;
  readonly description: string;
  readonly focus: string;
  readonly skip?: string;
  /** How many tests the selection holds in e2e.test v1.34.4 (`--ginkgo.dry-run`); a run of fewer says so. */
  readonly expectedTests?: number;
}

/**
 * The Services and DNS tests of the Conformance profile: what every conformant cluster must pass.
 * https://github.com/kubernetes/kubernetes/blob/master/test/conformance/testdata/conformance.yaml
 */
export const conformanceSelection: TestSelection = {
  name: "conformance",
  description: "[Conformance] Services + DNS",
  focus: String.raw`\[sig-network\] (Services|DNS) .*\[Conformance\]`,
  expectedTests: 25,
};

/**
 * Every Services, DNS and "Networking Granular Checks: Services" test this 3-node, single-stack, cloud-less cluster
 * can run side by side: Serial and Disruptive tests would disturb each other, Slow ones take minutes each, and
 * LoadBalancer, IPv6, SCTP and [Feature:…] tests need what the cluster lacks (a load-balancer controller, a second
 * IP family, the SCTP module, feature gates that are off, a cloud provider).
 */
export const wideSelection: TestSelection = {
  name: "wide",
  description:
    'Services + DNS + "Networking Granular Checks: Services" (no Serial, Disruptive, Slow, LoadBalancer, Feature, Provider, IPv6, SCTP)',
  focus: String.raw`\[sig-network\] (Services|DNS|Networking Granular Checks: Services) `,
  // Kubernetes writes a spec's labels into its text too ("… [Slow] [Feature:OffByDefault]"), so the skip regexp sees them.
  skip: String.raw`\[(Serial|Disruptive|Slow)\]|\[Feature:|\[Provider:|LoadBalancer|IPv6|SCTP`,
  expectedTests: 79,
};

/**
 * Upstream's dual-stack tests (test/e2e/network/dual_stack.go): nodes and pods with an address of each family,
 * Services of each family and of both, and the Services granular checks over the secondary family's ClusterIP. Only a
 * dual-stack cluster (`--ip-family dual`) can pass them; SCTP is left out as in the wide set (this kernel has no SCTP).
 */
export const dualStackSelection: TestSelection = {
  name: "dual-stack",
  description: "[Feature:IPv6DualStack] (no SCTP)",
  focus: String.raw`\[sig-network\] \[Feature:IPv6DualStack\] `,
  skip: "SCTP",
  expectedTests: 22,
};
