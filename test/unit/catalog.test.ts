import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stepsCommand } from "../../cli/steps.ts";
import { UserError } from "../../support/errors/user-error.ts";
import {
  type CatalogStep,
  docAbove,
  domainOf,
  findExamples,
  matchFeatureSteps,
  type ParameterTypeInfo,
  parseFeature,
  parseFeatureSteps,
  renderMarkdown,
  type StepDefinition,
} from "../../tooling/catalog/catalog.ts";

const backendSource = `import { Given, Then, When } from "@cucumber/cucumber";
import type { KubequakeWorld } from "../support/world.ts";

// Deploys the demo backend and a Service in front of it.
// The Service is named after the backend.
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
  async function () {},
);

When("{int} pod(s) of {string} is/are {killMode}", async function () {});

/**
 * Makes pods fail their readiness probe.
 *
 *   They keep running.
 */
When("{int} pod(s) of {string} turn(s) unready", async function () {});

// A comment separated by a blank line documents nothing.

Then(\`the unready pod(s) of {string} is/are still running\`, async function () {});
// biome-ignore lint/suspicious/noExplicitAny: a directive is not documentation
Then(/^every request succeeds$/, function () {});
`;

test("docAbove takes the // lines or the /** */ block directly above a definition's line as its doc", () => {
  assert.equal(
    docAbove(backendSource, 6),
    "Deploys the demo backend and a Service in front of it.\nThe Service is named after the backend.",
  );
  assert.equal(docAbove(backendSource, 11), undefined, "a blank line above: no doc");
  assert.equal(docAbove(backendSource, 18), "Makes pods fail their readiness probe.\n\n  They keep running.");
  assert.equal(docAbove(backendSource, 22), undefined, "a comment followed by a blank line is not a doc");
  assert.equal(docAbove(backendSource, 24), undefined, "a tool directive is not a doc");
  assert.equal(docAbove(backendSource, 1), undefined);
});

const parameterTypes: ParameterTypeInfo[] = [
  { name: "serviceType", regexps: [/ClusterIP|NodePort|headless/] },
  { name: "affinity", regexps: [/ClientIP|None/] },
  { name: "killMode", regexps: [/killed|force-deleted/] },
  { name: "labels", regexps: [/"([^"]*)"/] },
];

const definitions: StepDefinition[] = [
  {
    keyword: "Given",
    expression: "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
    file: "steps/backend.steps.ts",
    line: 3,
  },
  {
    keyword: "When",
    expression: "{int} pod(s) of {string} is/are {killMode}",
    file: "steps/backend.steps.ts",
    line: 10,
  },
  {
    keyword: "Given",
    expression: "the {serviceType} Service {string} selects pods labelled {labels}",
    file: "steps/service.steps.ts",
    line: 5,
  },
  {
    keyword: "Given",
    expression: "the Service {string} has session affinity {affinity}",
    file: "steps/service.steps.ts",
    line: 9,
  },
  { keyword: "Given", expression: "the manifest:", file: "steps/manifest.steps.ts", line: 4 },
  { keyword: "Then", expression: "every request succeeds", file: "steps/traffic.steps.ts", line: 7 },
  {
    keyword: "Then",
    expression: "the requests split evenly over the ready pods of {string} within {int}%",
    file: "steps/traffic.steps.ts",
    line: 20,
  },
];

const features = [
  {
    file: "features/endpoints/kill.feature",
    text: `@epic:endpoints
Feature: Kills
  And this description line starts with a keyword but is not a step.

  Background:
    Given the demo backend runs 1 replica behind the headless Service "db"

  Scenario: Several pods are force-deleted
    When 2 pods of "db" are force-deleted
    And 1 pod of "db" is killed
    Then every request succeeds
`,
  },
  {
    file: "features/services/selectors.feature",
    text: `Feature: Selectors

  Scenario: A manifest and a selector
    Given the manifest:
      """yaml
      Given the demo backend runs 9 replicas behind the NodePort Service "inside-a-docstring"
      """
    And the NodePort Service "web" selects pods labelled "app=web,tier=backend"
    When 1 pod of "web" is killed

  Scenario Outline: Affinity <affinity>
    Given the Service "web" has session affinity <affinity>
    Then every request succeeds

    Examples:
      | affinity |
      | None     |
      | ClientIP |
`,
  },
];

test("parseFeatureSteps finds steps outside descriptions and docstrings, with the keyword in effect", () => {
  const steps = parseFeatureSteps(features[1]!.file, features[1]!.text);
  assert.deepEqual(
    steps.map((s) => [s.line, s.keyword, s.text, s.docString]),
    [
      [4, "Given", "the manifest:", '"""yaml'],
      [8, "Given", 'the NodePort Service "web" selects pods labelled "app=web,tier=backend"', undefined],
      [9, "When", '1 pod of "web" is killed', undefined],
      [12, "Given", 'the Service "web" has session affinity None', undefined],
      [13, "Then", "every request succeeds", undefined],
    ],
  );
  assert.deepEqual(
    parseFeatureSteps(features[0]!.file, features[0]!.text).map((s) => s.line),
    [6, 9, 10, 11],
  );
});

test("parseFeature lists tags with their lines, docstring contents, and parse errors instead of throwing", () => {
  const text = `@epic:routing
Feature: f

  @smoke @severity:critical
  Scenario Outline: rows <n>
    Given the manifest:
      """yaml
      kind: Service
      """
    * 1 pod of "<name>" is killed

    @slow
    Examples:
      | n | name |
      | 1 | web  |
      | 2 | db   |
`;
  const parsed = parseFeature("features/f.feature", text);
  assert.deepEqual(
    parsed.tags.map((t) => `${t.line} ${t.name}`),
    ["1 @epic:routing", "4 @smoke", "4 @severity:critical", "12 @slow"],
  );
  assert.deepEqual(
    parsed.steps.map((s) => [s.line, s.keyword, s.text, s.docStringContent, s.docStringLine]),
    [
      [6, "Given", "the manifest:", "kind: Service", 7],
      [10, "Given", '1 pod of "web" is killed', undefined, undefined],
    ],
  );
  assert.deepEqual(parsed.errors, []);
  const broken = parseFeature(
    "features/b.feature",
    "Feature: b\n  Scenario: s\n    Given a step\n    this line is no step\n",
  );
  assert.equal(broken.errors[0]?.line, 4);
  assert.throws(
    () => parseFeatureSteps("features/b.feature", "Feature: b\n  Scenario: s\n    Given a step\n    oops\n"),
    /features\/b\.feature:4: the feature file does not parse/,
  );
});

test("findExamples records the first use, matching custom parameter types, optional text and alternation", () => {
  const catalog = findExamples(definitions, features, parameterTypes);
  const example = (index: number) => {
    const e = catalog[index]?.example;
    return e && `${e.file}:${e.line} ${e.keyword} ${e.text}`;
  };
  assert.equal(
    example(0),
    'features/endpoints/kill.feature:6 Given the demo backend runs 1 replica behind the headless Service "db"',
  );
  // "2 pods … are force-deleted" (plural, second alternative) comes before "1 pod … is killed".
  assert.equal(example(1), 'features/endpoints/kill.feature:9 When 2 pods of "db" are force-deleted');
  assert.equal(
    example(2),
    'features/services/selectors.feature:8 Given the NodePort Service "web" selects pods labelled "app=web,tier=backend"',
  );
  assert.equal(example(3), 'features/services/selectors.feature:12 Given the Service "web" has session affinity None');
  assert.equal(example(4), "features/services/selectors.feature:4 Given the manifest:");
  assert.equal(catalog[4]?.example?.docString, '"""yaml');
  assert.equal(example(5), "features/endpoints/kill.feature:11 Then every request succeeds");
  assert.equal(catalog[6]?.example, undefined, "a step no feature uses has no example");
  assert.deepEqual(
    catalog.map(({ example: _, ...step }) => step),
    definitions,
  );
});

test("findExamples with no features at all leaves every step without an example", () => {
  assert.ok(findExamples(definitions, [], parameterTypes).every((step) => step.example === undefined));
});

test("matchFeatureSteps reports undefined and ambiguous feature steps", () => {
  const overlapping: StepDefinition[] = [
    { keyword: "When", expression: "{int} pod(s) of {string} is/are {killMode}", file: "steps/a.steps.ts", line: 1 },
    { keyword: "When", expression: "{int} pod(s) of {string} is/are {word}", file: "steps/b.steps.ts", line: 1 },
  ];
  const text = 'Feature: f\n  Scenario: s\n    When 1 pod of "web" is killed\n    And 3 pods of "web" are gone now\n';
  const matches = matchFeatureSteps(overlapping, [{ file: "features/f.feature", text }], parameterTypes);
  assert.deepEqual(
    matches.map((m) => [m.step.line, m.definitions]),
    [
      [3, [0, 1]],
      [4, []],
    ],
  );
});

test("findExamples names the step whose expression does not compile", () => {
  const broken: StepDefinition[] = [
    { keyword: "Given", expression: "a {colour} thing", file: "steps/x.steps.ts", line: 7 },
  ];
  assert.throws(
    () => findExamples(broken, [], parameterTypes),
    /steps\/x\.steps\.ts:7: cannot compile the step "a \{colour\} thing"/,
  );
});

test("renderMarkdown renders the title, parameter table, sections in domain order, docs and examples", () => {
  const catalog: CatalogStep[] = findExamples(definitions, features, parameterTypes);
  catalog[1]!.doc = "Kills pods.\nGracefully or not.";
  const markdown = renderMarkdown(catalog, parameterTypes);
  assert.ok(markdown.startsWith("# kubequake step catalog\n\n"));
  assert.match(markdown, /generated from the step definitions by `npx kubequake steps`; do not edit it by hand/);
  assert.match(markdown, /\| `\{serviceType\}` \| one of `ClusterIP`, `NodePort`, `headless` \|/);
  assert.match(markdown, /\| `\{killMode\}` \| one of `killed`, `force-deleted` \|/);
  assert.match(markdown, /\| `\{labels\}` \| a label selector in double quotes/);
  assert.match(markdown, /\| `\{int\}` \| a whole number/);
  assert.doesNotMatch(markdown, /\{word\}/, "built-in types no step uses are left out");
  const headings = [...markdown.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(headings, ["Parameter types", "backend", "service", "traffic", "manifest"]);
  assert.ok(
    markdown.includes("- `When {int} pod(s) of {string} is/are {killMode}`\n\n  Kills pods.\n  Gracefully or not.\n"),
  );
  assert.ok(
    markdown.includes('  Example: `When 2 pods of "db" are force-deleted` (features/endpoints/kill.feature:9)\n'),
  );
  assert.ok(
    markdown.includes(
      '  Example: `Given the manifest:` with a docstring (`"""yaml`) (features/services/selectors.feature:4)\n',
    ),
  );
  assert.ok(
    markdown.includes(
      "- `Then the requests split evenly over the ready pods of {string} within {int}%`\n\n" +
        "  Example: (not used by any feature yet)\n",
    ),
  );
  assert.ok(markdown.endsWith("\n") && !markdown.endsWith("\n\n"));
});

test("renderMarkdown is deterministic: file order, then line, whatever the input order", () => {
  const catalog = findExamples(definitions, features, parameterTypes);
  const markdown = renderMarkdown(catalog, parameterTypes);
  assert.equal(renderMarkdown([...catalog].reverse(), parameterTypes), markdown);
  const every = markdown.indexOf("`Then every request succeeds`");
  const split = markdown.indexOf("`Then the requests split evenly");
  assert.ok(every > 0 && split > every);
});

test("renderMarkdown fences code spans that contain backticks", () => {
  const markdown = renderMarkdown(
    [{ keyword: "Given", expression: "a `quoted` word", file: "steps/odd.steps.ts", line: 1 }],
    parameterTypes,
  );
  assert.ok(markdown.includes("- ``Given a `quoted` word``"));
  assert.equal(domainOf("steps/odd.steps.ts"), "odd");
});

test("stepsCommand --out writes the catalog and --check accepts it, then rejects it once it is stale", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kubequake-steps-"));
  const file = join(dir, "docs", "STEPS.md");
  try {
    assert.equal(await stepsCommand(["--out", file]), 0);
    assert.match(await readFile(file, "utf8"), /^# kubequake step catalog\n/);
    assert.equal(await stepsCommand(["--check", file]), 0);
    await writeFile(file, `${await readFile(file, "utf8")}\nhand-edited\n`);
    await assert.rejects(stepsCommand(["--check", file]), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /is out of date/);
      assert.match(error.fix, /npx kubequake steps --out/);
      return true;
    });
    await assert.rejects(stepsCommand(["--check", join(dir, "missing.md")]), /does not exist/);
    await assert.rejects(stepsCommand(["--bogus"]), UserError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
