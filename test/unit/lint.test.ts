import assert from "node:assert/strict";
import { test } from "node:test";
import type { ParameterTypeInfo, StepDefinition } from "../../tooling/catalog/catalog.ts";
import { explainUndefinedStep, lintFeatures, manifestText } from "../../tooling/lint/lint.ts";
import { nearestWord } from "../../tooling/lint/suggest.ts";

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

test("numbers that leave a check nothing to judge: a share outside 0-100%, p0, 0 pods, 0 times, at least 0", () => {
  const backend = { name: "backend", regexps: [/"([^"]*)"/] };
  const podKill = { name: "podKill", regexps: [/killed|SIGKILLed/] };
  const rangeDefinitions: StepDefinition[] = [
    ["Then", "at most {float}% of the steady traffic failed"],
    ["Then", "the steady traffic's p{int} latency was at most {int} ms"],
    ["When", "{int} pod(s) of {backend} is/are {podKill} every {int} second(s), {int} time(s)"],
    ["When", "{int} pod(s) of {backend} turn(s) unready"],
    ["When", "{int}% of packets to the pods of {backend} are dropped"],
    ["Then", "the requests split evenly over the ready pods of {backend} within {int}%"],
    ["Then", "every ready pod of {backend} answered at least {int} request(s)"],
    ["Then", "the requests were answered by at least {int} different pod(s)"],
  ].map(([keyword, expression], line) => ({
    keyword: keyword as StepDefinition["keyword"],
    expression: expression!,
    file: "steps/x.ts",
    line,
  }));
  const text = `Feature: ranges
  Scenario: s
    Then at most 150% of the steady traffic failed
    And at most 2.5% of the steady traffic failed
    And the steady traffic's p0 latency was at most 500 ms
    And the steady traffic's p101 latency was at most 500 ms
    And the steady traffic's p100 latency was at most 0 ms
    When 0 pods of "web" are killed every 5 seconds, 2 times
    And 1 pod of "web" is SIGKILLed every 5 seconds, 0 times
    And 0 pods of "web" turn unready
    And 101% of packets to the pods of "web" are dropped
    Then the requests split evenly over the ready pods of "web" within 200%
    And every ready pod of "web" answered at least 0 requests
    And the requests were answered by at least 0 different pods
    And at most -5% of the steady traffic failed
`;
  const problems = lintFeatures({
    definitions: rangeDefinitions,
    parameterTypes: [backend, podKill],
    features: [{ file: "features/r.feature", text }],
  });
  assert.deepEqual(
    problems.map((p) => `${p.line} ${p.message} | ${p.expected}`),
    [
      "3 150% is not a percentage: a share lies from 0% to 100% | a percentage from 0 to 100",
      "5 p0 is not a percentile: a percentile is a whole number from p1 to p100 (p100 is the slowest request) | a percentile from p1 to p100",
      "6 p101 is not a percentile: a percentile is a whole number from p1 to p100 (p100 is the slowest request) | a percentile from p1 to p100",
      "8 0 pods: the step would act on no pod, and the checks after it would have nothing to judge | 1 pod or more",
      "9 0 times: the schedule would do nothing | 1 time or more",
      "10 0 pods: the step would act on no pod, and the checks after it would have nothing to judge | 1 pod or more",
      "11 101% is not a percentage: a share lies from 0% to 100% | a percentage from 0 to 100",
      "12 200% is not a percentage: a share lies from 0% to 100% | a percentage from 0 to 100",
      "13 at least 0: a pod (or traffic) that answered nothing would pass | at least 1",
      "14 at least 0: a pod (or traffic) that answered nothing would pass | at least 1",
      "15 -5% is not a percentage: a share lies from 0% to 100% | a percentage from 0 to 100",
    ],
  );
  assert.equal(problems[0]!.seen, "Then at most 150% of the steady traffic failed");
});

test("a cluster-wide fault step (a declared fault of node or cluster scope) needs @serial on its scenario or Feature", () => {
  const faults = definitions.map((d) => (d.expression.startsWith("the node") ? { ...d, clusterWideFault: true } : d));
  const text = (tags: string) =>
    `Feature: f\n\n  ${tags}\n  Scenario: s\n    When the node "kubequake-worker" is paused\n`;
  const lint = (tags: string) =>
    lintFeatures({ definitions: faults, parameterTypes, features: [{ file: "x.feature", text: text(tags) }] });
  assert.match(
    lint("@chaos")[0]?.message ?? "",
    /cluster-wide fault in the scenario "s" \(line 4\), which is not tagged @serial/,
  );
  assert.deepEqual(lint("@chaos @serial"), []);
});

test("a placeholder without its Examples column is named as that, not as an unknown step", () => {
  const text = `Feature: f\n\n  Scenario Outline: o\n    Then within <secs> seconds the Service "web" has 2 ready endpoints\n\n    Examples:\n      | seconds |\n      | 5       |\n`;
  const problems = lintFeatures({ definitions, parameterTypes, features: [{ file: "x.feature", text }] });
  assert.deepEqual(
    problems.map((p) => [p.line, p.message, p.expected]),
    [
      [
        4,
        "the placeholder <secs> names no column of the Examples at x.feature:6",
        'a column "secs" in that Examples table, or a placeholder named after one of its columns: <seconds>',
      ],
    ],
  );
});

test("manifests: an apiVersion that does not serve a built-in kind, a namespace, a cluster-scoped kind", () => {
  const messages = manifestText(
    "apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\n---\napiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: custom\n",
  ).map((p) => [p.line, p.message.replace(/ \(.*$|:.*$/, "")]);
  assert.deepEqual(messages, [
    [0, "Kubernetes v1.34.4 serves no Deployment in apps/v2"],
    [4, "metadata.namespace is set, but kubequake assigns each scenario its own namespace"],
  ]);
});

test("nearestWord suggests an option within a few edits, and nothing for a stranger", () => {
  const options = ["--parallel", "--tags", "--name", "--help", "-h"];
  assert.equal(nearestWord("--paralel", options), "--parallel");
  assert.equal(nearestWord("--tag", options), "--tags");
  assert.equal(nearestWord("--bogus", options), undefined);
});
