import assert from "node:assert/strict";
import { test } from "node:test";
import { leaderProblem } from "../../support/chaos/cluster-faults.ts";

const now = Date.parse("2026-11-27T05:30:00Z");

test("a component leads while its lease was renewed within the lease's duration", () => {
  const lease = { holderIdentity: "cp_1", renewTime: "2026-11-27T05:29:50Z", leaseDurationSeconds: 15 };
  assert.equal(leaderProblem("kube-scheduler", lease, now), undefined);
});

test("a lease older than its duration means nobody leads (the component exited and waits for the kubelet)", () => {
  const lease = { holderIdentity: "cp_1", renewTime: new Date(now - 48_000), leaseDurationSeconds: 15 };
  assert.equal(
    leaderProblem("kube-controller-manager", lease, now),
    "kube-controller-manager does not lead (its lease was last renewed 48 s ago; the kubelet restarts it, maybe after a back-off)",
  );
  assert.match(leaderProblem("kube-scheduler", {}, now) ?? "", /never renewed/);
});

test("a cluster without the lease (a hosted control plane) has nothing to wait for", () => {
  assert.equal(leaderProblem("kube-scheduler", undefined, now), undefined);
});
