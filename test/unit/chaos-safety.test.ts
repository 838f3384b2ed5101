import assert from "node:assert/strict";
import { test } from "node:test";
import { describeHolder, holderIdentityOf, leaseState } from "../../support/chaos/chaos-lease.ts";
import { faultOfCluster } from "../../support/cluster/fault-ledger.ts";
import { findKindNodes, kindClusterOfProviderID } from "../../support/cluster/kind.ts";

const me = holderIdentityOf("host-a", 100, "run1");
const other = holderIdentityOf("host-b", 200, "run2");
const now = Date.parse("2026-12-03T14:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

test("the chaos lease is free when there is none or nobody holds it", () => {
  assert.deepEqual(leaseState(undefined, me, now), { kind: "free" });
  assert.deepEqual(leaseState({ holderIdentity: "" }, me, now), { kind: "free" });
});

test("the chaos lease held by the same run is ours, whatever its age", () => {
  assert.deepEqual(leaseState({ holderIdentity: me, renewTime: ago(3600) }, me, now), { kind: "ours" });
});

test("another holder's lease renewed within its duration is held, and says who, since when and last renewed", () => {
  const state = leaseState(
    { holderIdentity: other, acquireTime: ago(90), renewTime: ago(5), leaseDurationSeconds: 60, scenario: "s (ns)" },
    me,
    now,
  );
  assert.deepEqual(state, {
    kind: "held",
    holder: "host-b pid 200 run run2",
    scenario: "s (ns)",
    since: "2026-12-03T13:58:30.000Z",
    renewed: "2026-12-03T13:59:55.000Z",
  });
  assert.equal(
    describeHolder(state as Extract<typeof state, { kind: "held" }>),
    'host-b pid 200 run run2 (scenario "s (ns)") since 2026-12-03T13:58:30.000Z, last renewed 2026-12-03T13:59:55.000Z',
  );
});

test("another holder's lease not renewed within its duration is stale (taken over); never renewed too", () => {
  assert.equal(
    leaseState({ holderIdentity: other, renewTime: ago(61), leaseDurationSeconds: 60 }, me, now).kind,
    "stale",
  );
  assert.equal(
    leaseState({ holderIdentity: other, renewTime: ago(60), leaseDurationSeconds: 60 }, me, now).kind,
    "held",
  );
  assert.equal(leaseState({ holderIdentity: other }, me, now).kind, "stale");
  // MicroTime as the API returns it (six fractional digits) reads the same.
  assert.equal(
    leaseState({ holderIdentity: other, renewTime: "2026-12-03T13:59:59.000000Z", leaseDurationSeconds: 60 }, me, now)
      .kind,
    "held",
  );
});

test("a kind node's providerID names its kind cluster; any other names none", () => {
  assert.equal(
    kindClusterOfProviderID("kind://docker/kubequake-other/kubequake-other-control-plane"),
    "kubequake-other",
  );
  assert.equal(kindClusterOfProviderID("kind://podman/scratch/scratch-worker"), "scratch");
  assert.equal(kindClusterOfProviderID("aws:///eu-west-1a/i-0123"), undefined);
  assert.equal(kindClusterOfProviderID(""), undefined);
});

test("nodes that are not kind nodes are not reachable for node faults, saying which (before asking Docker)", async () => {
  assert.deepEqual(
    await findKindNodes([
      { name: "ip-10-0-0-1", providerID: "aws:///eu-west-1a/i-0123" },
      { name: "ip-10-0-0-2", providerID: "aws:///eu-west-1a/i-0456" },
    ]),
    {
      kind: "unreachable",
      why: 'node(s) ip-10-0-0-1 (providerID "aws:///eu-west-1a/i-0123"), ip-10-0-0-2 (providerID "aws:///eu-west-1a/i-0456") are not kind nodes, so node faults cannot reach them',
    },
  );
  assert.deepEqual(
    await findKindNodes([
      { name: "a-control-plane", providerID: "kind://docker/a/a-control-plane" },
      { name: "b-worker", providerID: "kind://docker/b/b-worker" },
    ]),
    { kind: "unreachable", why: "the nodes belong to several kind clusters (a, b)" },
  );
  assert.deepEqual(await findKindNodes([]), { kind: "unreachable", why: "the cluster has no nodes" });
});

test("a ledger entry belongs to the kind cluster it records; entries from before that were kubequake's", () => {
  const entry = (cluster?: string) =>
    ({ id: "1", ownerPid: 1, description: "d", cluster, undo: [], applied: true, appliedAtUnixMs: 0 }) as const;
  assert.equal(faultOfCluster(entry("kubequake-other"), "kubequake-other"), true);
  assert.equal(faultOfCluster(entry("kubequake-other"), "kubequake"), false);
  assert.equal(faultOfCluster(entry(), "kubequake"), true);
  assert.equal(faultOfCluster(entry(), "kubequake-other"), false);
});
