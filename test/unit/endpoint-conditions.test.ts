import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1EndpointSlice } from "@kubernetes/client-node";
import {
  endpointConditionPattern,
  meetsEndpointCondition,
  parseEndpointConditions,
} from "../../support/endpoints/conditions.ts";
import { flattenSlices } from "../../support/kube/endpoints.ts";

const slice: V1EndpointSlice = {
  addressType: "IPv4",
  metadata: {
    name: "web-abc",
    labels: { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" },
  },
  ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  endpoints: [
    { addresses: ["10.244.1.2"], nodeName: "w1", targetRef: { name: "a" }, conditions: { ready: true, serving: true } },
    {
      addresses: ["10.244.2.2"],
      nodeName: "w2",
      targetRef: { name: "b" },
      conditions: { ready: false, serving: true, terminating: true },
    },
  ],
};
const meets = (text: string, slices = [slice]) =>
  parseEndpointConditions(text).every((c) => meetsEndpointCondition(c, flattenSlices(slices), slices));

test("every wording of a condition is whole-matched by the parameter's regexp, and a typo is not", () => {
  const whole = new RegExp(`^(?:${endpointConditionPattern.source})$`);
  for (const text of [
    "2 ready endpoints",
    '1 serving terminating endpoint on node "w2"',
    'port 8080/TCP named "http"',
    "addressType IPv4 and no zone hints",
    'managed-by "endpointslice-controller.k8s.io" and 0 unready endpoints',
  ]) {
    assert.match(text, whole);
  }
  assert.doesNotMatch("2 redy endpoints", whole);
  assert.doesNotMatch("addressType IPv5", whole);
});

test("counts by state and node, ports, addressType, hints and managed-by are judged on the slices", () => {
  assert.ok(meets("1 ready endpoint and 1 serving terminating endpoint"));
  assert.ok(meets('1 terminating endpoint on node "w2" and 0 terminating endpoints on node "w1"'));
  assert.ok(meets("2 serving endpoints and 1 unready endpoint and 2 endpoints"));
  assert.ok(meets('port 8080/TCP named "http" and addressType IPv4'));
  assert.ok(!meets("port 80"));
  assert.ok(meets("no zone hints"));
  assert.ok(!meets("zone hints"));
  assert.ok(meets('managed-by "endpointslice-controller.k8s.io"'));
  assert.ok(!meets("addressType IPv4", []), "a condition on every slice needs a slice");
});

test('"addressType of its ClusterIP" is parsed for the step to read the family from the Service', () => {
  assert.deepEqual(parseEndpointConditions("addressType of its ClusterIP and 2 ready endpoints")[0], {
    kind: "addressType",
    addressType: "of its ClusterIP",
  });
});

test("an endpoint cannot be asked to be both ready and unready", () => {
  assert.throws(() => parseEndpointConditions("1 ready unready endpoint"), /cannot be both ready and unready/);
});
