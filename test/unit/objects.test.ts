import assert from "node:assert/strict";
import test from "node:test";
import { checkField, fieldConditionPattern, parseFieldCondition, toJsonPath } from "../../support/objects/fields.ts";
import { objectPath, objectRef } from "../../support/objects/kinds.ts";

const service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    clusterIP: "10.96.0.12",
    type: "ClusterIP",
    ports: [
      { name: "http", port: 80 },
      { name: "dns", port: 53 },
    ],
  },
};

test("a field path may be written bare, with a dot, as kubectl's {…} or as JSONPath", () => {
  assert.equal(toJsonPath("spec.clusterIP"), "$.spec.clusterIP");
  assert.equal(toJsonPath(".spec.clusterIP"), "$.spec.clusterIP");
  assert.equal(toJsonPath("{.spec.ports[0].port}"), "$.spec.ports[0].port");
  assert.equal(toJsonPath("$.spec"), "$.spec");
});

test("field conditions: set, not set, equal to, containing, matching — each can fail", () => {
  const check = (path: string, what: string) => checkField(service, parseFieldCondition(path, what));
  assert.equal(check("spec.clusterIP", "set").satisfied, true);
  assert.equal(check("spec.externalName", "set").satisfied, false);
  assert.equal(check("spec.externalName", "not set").satisfied, true);
  assert.equal(check("spec.clusterIP", "not set").satisfied, false);
  assert.equal(check("spec.ports[1].port", 'equal to "53"').satisfied, true);
  assert.equal(check("spec.ports[1].port", 'equal to "5"').satisfied, false);
  assert.equal(check('spec.ports[?(@.name=="http")].port', 'equal to "80"').satisfied, true);
  assert.equal(check("spec.ports[*].name", 'containing "dns"').satisfied, true);
  assert.equal(check("spec.ports[*].name", 'containing "udp"').satisfied, false);
  assert.equal(check("spec.clusterIP", 'matching "^10\\."').satisfied, true);
  assert.equal(check("spec.clusterIP", 'matching "^192\\."').satisfied, false);
  assert.equal(check("spec.externalName", 'equal to ""').satisfied, false, "a missing field never equals");
  assert.equal(check("spec.externalName", "set").seen, "(not set)");
});

test("a field between two whole numbers: bounds included; outside, missing or not a number fails", () => {
  const check = (path: string, what: string) => checkField(service, parseFieldCondition(path, what));
  assert.equal(check("spec.ports[0].port", "between 80 and 80").satisfied, true);
  assert.equal(check("spec.ports[*].port", "between 53 and 80").satisfied, true);
  assert.equal(check("spec.ports[*].port", "between 54 and 80").satisfied, false, "every value must be in range");
  assert.equal(check("spec.ports[0].port", "between 30000 and 32767").satisfied, false);
  assert.equal(check("spec.ports[0].nodePort", "between 30000 and 32767").satisfied, false, "a missing field fails");
  assert.equal(check("spec.clusterIP", "between 0 and 99999").satisfied, false, "an IP is not a number");
  const match = fieldConditionPattern.exec("`spec.ports[0].nodePort` between 30000 and 32767");
  assert.deepEqual([match?.[1], match?.[2]], ["spec.ports[0].nodePort", "between 30000 and 32767"]);
});

test("the step's condition pattern reads the path and the expectation", () => {
  const match = fieldConditionPattern.exec('`spec.type` equal to "NodePort"');
  assert.deepEqual([match?.[1], match?.[2]], ["spec.type", 'equal to "NodePort"']);
  assert.equal(fieldConditionPattern.exec("spec.type set"), null, "the path must be backquoted");
});

test("objects are addressed by kind alone; an unknown kind is the user's mistake", () => {
  assert.equal(objectPath(objectRef("Service", "web", "ns")), "/api/v1/namespaces/ns/services/web");
  assert.equal(objectPath(objectRef("Deployment", "web", "ns")), "/apis/apps/v1/namespaces/ns/deployments/web");
  assert.equal(objectPath(objectRef("Endpoints", "web", "ns")), "/api/v1/namespaces/ns/endpoints/web");
  assert.equal(objectPath(objectRef("Node", "n1", "ns")), "/api/v1/nodes/n1");
  assert.throws(() => objectRef("Widget", "w", "ns"), /the kind "Widget" is not one kubequake knows/);
});
