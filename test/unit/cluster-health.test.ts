import assert from "node:assert/strict";
import { test } from "node:test";
import { healthProblem, readClusterHealth } from "../../support/cluster/health.ts";

const node = (name: string, ready = true) => ({ name, ready, internalIP: "172.18.0.2" });

test("healthProblem names what is wrong: the kubeconfig, the API server, the nodes, CoreDNS", () => {
  const healthy = { apiReachable: true, nodes: [node("a"), node("b"), node("c")], dnsEndpointsReady: 2 };
  assert.equal(healthProblem(healthy, 3), undefined);
  assert.equal(
    healthProblem({ ...healthy, nodes: [node("a"), node("b", false), node("c")] }, 3),
    "2 of 3 nodes Ready, expected 3 Ready nodes",
  );
  assert.equal(healthProblem({ ...healthy, dnsEndpointsReady: 0 }, 3), "CoreDNS has no ready endpoints");
  assert.equal(
    healthProblem({ apiReachable: false, nodes: [], dnsEndpointsReady: 0, problem: "connect ECONNREFUSED" }, 3),
    "the API server does not answer (connect ECONNREFUSED)",
  );
});

test("readClusterHealth says a kubeconfig it cannot read is the problem, not the API server", async () => {
  const health = await readClusterHealth("/nonexistent/kubeconfig");
  assert.equal(health.kubeconfigUnreadable, true);
  assert.match(healthProblem(health, 3) ?? "", /^cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/);
  assert.doesNotMatch(healthProblem(health, 3) ?? "", /does not answer/);
});
