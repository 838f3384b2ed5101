// Load-balancer checks that must fail (test/fixtures/load-balancer-failing), run against the real cluster: each must
// fail with a message naming what was expected and what was seen, and leave no namespace behind.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, RegExp> = {
  "A ClusterIP Service does not carry the fields of a LoadBalancer Service":
    /timed out after 3\.\d s waiting until the Service web has the fields of a LoadBalancer Service; last observed: spec\.type is ClusterIP, expected LoadBalancer; spec\.ports\[0\]\.nodePort is not set, expected one from 30000-32767; spec\.externalTrafficPolicy is not set, expected its default Cluster; spec\.allocateLoadBalancerNodePorts is not set, expected true; status\.loadBalancer\.ingress is empty, expected an address/,
  "A ClusterIP Service gets no load-balancer address":
    /the Service web got no load-balancer address within 2 s after this step started \(no step of this scenario made it a LoadBalancer\); last observed: type ClusterIP, status\.loadBalancer \{\}/,
  "A LoadBalancer Service does not carry the fields of a ClusterIP Service":
    /waiting until the Service web has the fields of a ClusterIP Service; last observed: spec\.type is LoadBalancer, expected ClusterIP; spec\.ports\[0\]\.nodePort is still \d+, expected cleared; spec\.externalTrafficPolicy is still Cluster, expected cleared; spec\.allocateLoadBalancerNodePorts is still true, expected cleared; status\.loadBalancer\.ingress still lists 172\.\d+\.\d+\.\d+, expected none/,
  "A Service that left LoadBalancer no longer has the address it got":
    /expected the Service web to keep the load-balancer address 172\.\d+\.\d+\.\d+ it got, but status\.loadBalancer\.ingress is empty \(type ClusterIP\); look at the Service's events/,
  "An externalTrafficPolicy Local LoadBalancer that stays one keeps its health check passing":
    /timed out after 3\.\d s waiting until the healthCheckNodePort \d+ that web has or had answers 200 on no node \(two rounds in a row\); last observed: .*kubequake-worker2?: 200/,
  "A misspelt Service type is a user error before anything changes":
    /^UserError: "Loadbalancer" is not a Service type this step can move to or check\n {2}what to do: use one of ClusterIP, NodePort, LoadBalancer/,
  "Load-balancer traffic without affinity does not stick to one pod":
    /timed out after 3\.\d s waiting until 20 requests from an outside client to the load-balancer address of "web" are all answered by the same pod; last observed: .*\d+ by web-[a-z0-9]+-[a-z0-9]+, \d+ by web-/,
  "Load-balancer traffic to a single pod does not spread":
    /timed out after 3\.\d s waiting until 10 requests from an outside client to the load-balancer address of "web" are answered by at least 2 different pods; last observed: .*: 10 by web-[a-z0-9]+-[a-z0-9]+"/,
};

test("load-balancer fixture scenarios that must fail do fail, each with the expected message, and leak no namespace", async () => {
  const runId = newRunId("lbfx");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/load-balancer-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness-load-balancer",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness-load-balancer/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
