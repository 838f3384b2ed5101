import assert from "node:assert/strict";
import { test } from "node:test";
import type { ParameterTypeInfo, StepDefinition } from "../../support/catalog/catalog.ts";
import { explainUndefinedStep, lintFeatures, manifestText } from "../../support/lint/lint.ts";

const parameterTypes: ParameterTypeInfo[] = [
  { name: "serviceType", regexps: [/ClusterIP|NodePort|headless/] },
  { name: "nodeFault", regexps: [/stopped|paused|cut off from the other nodes/] },
];
const definitions: StepDefinition[] = [
  {
    keyword: "Given",
    expression: "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
    file: "steps/backend.steps.ts",
    line: 3,
  },
  { keyword: "When", expression: "the node {string} is {nodeFault}", file: "steps/chaos.steps.ts", line: 9 },
  {
    keyword: "Then",
    expression: "within {int} second(s) the Service {string} has {int} ready endpoint(s)",
    file: "steps/service.steps.ts",
    line: 4,
  },
  { keyword: "Then", expression: "every request succeeds", file: "steps/traffic.steps.ts", line: 7 },
  { keyword: "Then", expression: "every {word} succeeds", file: "steps/traffic.steps.ts", line: 9 },
  { keyword: "Given", expression: "the manifest:", file: "steps/manifest.steps.ts", line: 2 },
  { keyword: "Given", expression: "the manifest {string}", file: "steps/manifest.steps.ts", line: 5 },
  { keyword: "Then", expression: "nothing uses this", file: "steps/odd.steps.ts", line: 1 },
];

const feature = `@epic:routing @nightly
Feature: f

  @serial @needs:nodes>=3 @severity:huge
  Scenario: s
    Given the demo backend runs -1 replicas behind the ClusterIP Service "web"
    And the demo backend runs 2 replicas behind the LoadBalancer Service "web"
    When the node "kubequake-worker" is rebooted
    Then within 0 seconds the Service "web" has 2 ready endpoints
    And every request succeeds
    And the demo backend run 2 replicas behind the ClusterIP Service "web"
    Given the manifest:
      """
      apiVersion: v1
      kind: ConfigMap
      """
    And the manifest "features/manifests/a.yaml"
    And the manifest "features/manifests/missing.yaml"
`;

test("lintFeatures finds each kind of mistake with file:line, expected and seen", () => {
  const problems = lintFeatures({
    definitions,
    parameterTypes,
    features: [{ file: "features/f.feature", text: feature }],
    readFile: (path) => (path === "features/manifests/a.yaml" ? "kind: Service\nmetadata:\n  name: a\n" : undefined),
    checkUnused: true,
  });
  const lines = problems.map((p) => `${p.file}:${p.line} ${p.severity} ${p.message}`);
  assert.deepEqual(lines, [
    "features/f.feature:1 error unknown tag @nightly",
    "features/f.feature:4 error unknown severity @severity:huge",
    "features/f.feature:6 error a negative number: -1 replicas",
    'features/f.feature:7 error "LoadBalancer" is not a {serviceType} (in the step "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}")',
    'features/f.feature:8 error "rebooted" is not a {nodeFault} (in the step "the node {string} is {nodeFault}")',
    'features/f.feature:9 error "within 0 seconds" gives the check no time at all',
    "features/f.feature:10 error 2 step definitions match this step (ambiguous)",
    "features/f.feature:11 error no step definition matches this step",
    "features/f.feature:14 error the manifest of the step on line 12: an object without metadata.name",
    "features/f.feature:18 error the manifest file features/manifests/missing.yaml does not exist",
    "features/manifests/a.yaml:1 error an object without apiVersion (applied by features/f.feature:17)",
    'steps/chaos.steps.ts:9 warning the step "the node {string} is {nodeFault}" is used by no feature',
    'steps/odd.steps.ts:1 warning the step "nothing uses this" is used by no feature',
  ]);
  const typo = problems.find((p) => p.line === 11)!;
  assert.match(
    typo.expected ?? "",
    /the nearest:\n {6}Given the demo backend runs \{int\} replica\(s\) behind the \{serviceType\} Service \{string\}/,
  );
  assert.equal(typo.seen, 'Then the demo backend run 2 replicas behind the ClusterIP Service "web"');
  assert.equal(problems.find((p) => p.line === 7)?.expected, "one of `ClusterIP`, `NodePort`, `headless`");
});

test("a feature that does not parse is one problem at its line, not an exception", () => {
  const problems = lintFeatures({
    definitions,
    parameterTypes,
    features: [{ file: "features/b.feature", text: "Feature: b\n  Scenario: s\n    Given x\n    not a step\n" }],
  });
  assert.equal(problems[0]?.line, 4);
  assert.match(problems[0]?.message ?? "", /^the feature file does not parse: .*got 'not a step'/);
});

test("manifestText checks every document of a multi-document manifest", () => {
  const text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\n---\n- a list\n";
  assert.deepEqual(
    manifestText(text).map((p) => [p.line, p.message]),
    [
      [5, "an object without metadata.name"],
      [8, "a YAML document is not a Kubernetes object"],
    ],
  );
  assert.deepEqual(manifestText(""), []);
});

test("explainUndefinedStep names the wrong parameter value, or the nearest phrases", () => {
  assert.equal(
    explainUndefinedStep('the node "w" is rebooted', definitions, parameterTypes),
    '"rebooted" is not a {nodeFault}: expected one of `stopped`, `paused`, `cut off from the other nodes`',
  );
  assert.match(
    explainUndefinedStep("evry request succeeds", definitions, parameterTypes),
    /^the nearest phrases:\n {8}Then every request succeeds\n/,
  );
});
