import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1EndpointSlice, V1Endpoints, V1Pod } from "@kubernetes/client-node";
import {
  compareEndpoints,
  controllerManagedBy,
  type EndpointObjects,
  parseExpectedEndpoints,
} from "../../support/endpoints/slices.ts";

const namespace = "kq-test";
const pod = (name: string, ip: string): V1Pod => ({ metadata: { name, uid: `uid-${name}` }, status: { podIP: ip } });
const pods = [pod("pod1", "10.244.1.1"), pod("pod2", "10.244.2.2")];
const ref = (name: string, uid = `uid-${name}`) => ({ kind: "Pod", namespace, name, uid });

function slice(name: string, port: number, members: string[], managedBy = controllerManagedBy): V1EndpointSlice {
  return {
    addressType: "IPv4",
    metadata: { name, labels: { "endpointslice.kubernetes.io/managed-by": managedBy } },
    endpoints: members.map((m) => ({
      addresses: [pods.find((p) => p.metadata?.name === m)!.status!.podIP!],
      targetRef: ref(m),
    })),
    ports: [{ name: "http", port, protocol: "TCP" }],
  };
}

const endpoints: V1Endpoints = {
  subsets: [
    {
      addresses: [{ ip: "10.244.1.1", targetRef: ref("pod1") }],
      ports: [{ name: "http", port: 3000, protocol: "TCP" }],
    },
    {
      addresses: [{ ip: "10.244.2.2", targetRef: ref("pod2") }],
      ports: [{ name: "http", port: 3001, protocol: "TCP" }],
    },
  ],
};
const expected = parseExpectedEndpoints([
  { pod: "pod1", "port name": "http", port: "3000" },
  { pod: "pod2", "port name": "http", port: "3001" },
]);
const objects = (slices: V1EndpointSlice[], legacy: V1Endpoints | null = endpoints): EndpointObjects => ({
  namespace,
  slices,
  endpoints: legacy ?? undefined,
  pods,
});

test("a named port resolving to two container ports, in two controller-made slices, is as expected", () => {
  const { problems, seen } = compareEndpoints(
    objects([slice("named-a", 3000, ["pod1"]), slice("named-b", 3001, ["pod2"])]),
    expected,
  );
  assert.deepEqual(problems, []);
  assert.match(seen, /pod1 http=3000\/TCP, pod2 http=3001\/TCP; Endpoints: pod1 http=3000\/TCP, pod2 http=3001\/TCP/);
});

test("a wrong port, a missing pod, a foreign manager and a stale targetRef are each named", () => {
  const stale = slice("named-b", 3001, ["pod2"]);
  stale.endpoints![0]!.targetRef = ref("pod2", "uid-old");
  const { problems } = compareEndpoints(
    objects([slice("named-a", 3002, ["pod1"], "someone-else"), stale], null),
    expected,
  );
  assert.ok(problems.some((p) => p.includes("labelled endpointslice.kubernetes.io/managed-by=someone-else")));
  assert.ok(
    problems.some((p) => p.includes("targetRef Pod/kq-test/pod2 uid uid-old, expected Pod/kq-test/pod2 uid uid-pod2")),
  );
  assert.ok(problems.includes("the EndpointSlices list pod1 http=3002/TCP, pod2 http=3001/TCP"));
  assert.ok(problems.includes("no Endpoints object"));
});

test("an endpoint listed twice, or at an IP no pod has, does not pass", () => {
  const twice = compareEndpoints(
    objects([slice("a", 3000, ["pod1"]), slice("b", 3000, ["pod1"]), slice("c", 3001, ["pod2"])]),
    expected,
  );
  assert.ok(twice.problems.some((p) => p.startsWith("the EndpointSlices list pod1 http=3000/TCP, pod1 http=3000/TCP")));
  const stranger = slice("a", 3000, ["pod1"]);
  stranger.endpoints![0]!.addresses = ["10.244.9.9"];
  const strange = compareEndpoints(objects([stranger, slice("b", 3001, ["pod2"])]), expected);
  assert.ok(strange.problems.some((p) => p.includes("10.244.9.9 (pod1) is not the IP of a pod in the namespace")));
});

test("nothing expected: exactly one controller-made slice without endpoints or ports, and Endpoints without subsets", () => {
  const empty: V1EndpointSlice = {
    addressType: "IPv4",
    metadata: { name: "e", labels: { "endpointslice.kubernetes.io/managed-by": controllerManagedBy } },
  };
  assert.deepEqual(compareEndpoints(objects([empty], {}), []).problems, []);
  assert.deepEqual(compareEndpoints(objects([], {}), []).problems, ["no EndpointSlice"]);
  const withPorts = { ...empty, ports: [{ name: "x", port: 1 }] };
  assert.deepEqual(compareEndpoints(objects([withPorts, empty], {}), []).problems, [
    "2 EndpointSlices, expected exactly one",
    "the empty EndpointSlice has ports",
  ]);
});

test("a table row without a pod or with a port that is not a number is the feature's mistake", () => {
  assert.throws(
    () => parseExpectedEndpoints([{ pod: "pod1", "port name": "http", port: "http" }]),
    /row 1 of the endpoints table/,
  );
  assert.throws(() => parseExpectedEndpoints([{ pod: "", port: "80" }]), /\| pod \| port name \| port \|/);
  assert.throws(() => parseExpectedEndpoints([{ pod: "p", "port name": "", port: "80", protocol: "QUIC" }]), /"QUIC"/);
  assert.equal(
    parseExpectedEndpoints([{ pod: "p", "port name": "", port: "80", protocol: "SCTP" }])[0]?.protocol,
    "SCTP",
  );
});

test("on a dual-stack cluster an IPv6 endpoint is the pod's too: its secondary address is in status.podIPs", () => {
  const dual: V1Pod = {
    metadata: { name: "pod1", uid: "uid-pod1" },
    status: { podIP: "10.244.1.1", podIPs: [{ ip: "10.244.1.1" }, { ip: "fd00:10:244:1::5" }] },
  };
  const six: V1EndpointSlice = {
    addressType: "IPv6",
    metadata: { name: "six", labels: { "endpointslice.kubernetes.io/managed-by": controllerManagedBy } },
    endpoints: [{ addresses: ["fd00:10:244:1::5"], targetRef: ref("pod1") }],
    ports: [{ name: "http", port: 3000, protocol: "TCP" }],
  };
  const legacy: V1Endpoints = {
    subsets: [
      {
        addresses: [{ ip: "fd00:10:244:1::5", targetRef: ref("pod1") }],
        ports: [{ name: "http", port: 3000, protocol: "TCP" }],
      },
    ],
  };
  const { problems } = compareEndpoints(
    { namespace, slices: [six], endpoints: legacy, pods: [dual] },
    parseExpectedEndpoints([{ pod: "pod1", "port name": "http", port: "3000" }]),
  );
  assert.deepEqual(problems, []);
});
