import assert from "node:assert/strict";
import { test } from "node:test";
import { rememberedValueProblems } from "../../tooling/lint/remembered.ts";

const feature = (text: string) => rememberedValueProblems({ file: "x.feature", text });

test("a remembered name used after a step (or the Background) remembers it is fine; before is reported with its line", () => {
  const problems = feature(`Feature: f
  Background:
    Given the field \`spec.clusterIP\` of the Service "web" is remembered as "ip"

  Scenario: uses
    When a client pod sends 1 request to "http://{remembered:ip}"
    And the pod "c" is:
      """
      nameservers: [{remembered:dns}]
      """
    And the field \`spec.clusterIP\` of the Service "kube-dns" is remembered as "dns"
`);
  assert.deepEqual(
    problems.map((p) => [p.line, p.message, p.seen]),
    [
      [
        7,
        '{remembered:dns} is used before any step of the scenario "uses" remembers "dns"',
        'remembered by then: "ip"',
      ],
    ],
  );
});

test("each Scenario Outline row and each scenario starts with nothing remembered", () => {
  const problems = feature(`Feature: f
  Scenario: one
    Given the field \`spec.clusterIP\` of the Service "web" is remembered as "ip"

  Scenario Outline: two
    When a client pod sends 1 request to "http://{remembered:<name>}"

    Examples:
      | name |
      | ip   |
      | ip   |
`);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.line, 6);
});
