import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stepsCommand } from "../../cli/steps.ts";
import {
  type CatalogStep,
  DEFAULT_PARAMETER_TYPES,
  domainOf,
  extractParameterTypes,
  extractSteps,
  findExamples,
  matchFeatureSteps,
  parseFeatureSteps,
  renderMarkdown,
  type StepDefinition,
} from "../../support/catalog/catalog.ts";
import { UserError } from "../../support/errors/user-error.ts";

const backendSource = `import { Given, Then, When } from "@cucumber/cucumber";
import type { KubequakeWorld } from "../support/world.ts";

// Deploys the demo backend and a Service in front of it.
// The Service is named after the backend.
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
  async function (this: KubequakeWorld, replicas: number) {
    const quote = /"([^"]*)"/; // a regexp with quotes must not confuse the scanner
    const text = 'When("this is not a step")';
    const template = \`Then("nor is \${text} this")\`;
    // Then("a commented-out step is not a step either", () => {});
  },
);

When("{int} pod(s) of {string} is/are {killMode}", async function () {});

/**
 * Makes pods fail their readiness probe.
 *
 * They keep running.
 */
When(
  // biome-ignore lint: a directive inside the call is not documentation
  '{int} pod(s) of {string} turn(s) unready',
  async function () {},
);

// A comment separated by a blank line documents nothing.

Then(\`the unready pod(s) of {string} is/are still running\`, async function () {});
const x = 1; // a trailing comment on a code line is not documentation either
Then(/^every request succeeds$/, function () {});
Then(expressionFromAVariable, function () {});
`;

test("extractSteps finds calls, literal expressions on the same or the next line, and their line numbers", () => {
  const warnings: string[] = [];
  const steps = extractSteps("steps/backend.steps.ts", backendSource, warnings);
  assert.deepEqual(
    steps.map((s) => [s.keyword, s.expression, s.line]),
    [
      ["Given", "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}", 6],
      ["When", "{int} pod(s) of {string} is/are {killMode}", 16],
      ["When", "{int} pod(s) of {string} turn(s) unready", 23],
      ["Then", "the unready pod(s) of {string} is/are still running", 31],
      ["Then", "/^every request succeeds$/", 33],
    ],
  );
  assert.ok(steps.every((s) => s.file === "steps/backend.steps.ts"));
  assert.deepEqual(warnings, [
    "steps/backend.steps.ts:34: Then(…) does not start with a string literal, so it is not catalogued",
  ]);
});

test("extractSteps takes the // or /** */ comment block directly above a call as its doc", () => {
  const steps = extractSteps("steps/backend.steps.ts", backendSource);
  assert.equal(
    steps[0]?.doc,
    "Deploys the demo backend and a Service in front of it.\nThe Service is named after the backend.",
  );
  assert.equal(steps[1]?.doc, undefined);
  assert.equal(steps[2]?.doc, "Makes pods fail their readiness probe.\n\nThey keep running.");
  assert.equal(steps[3]?.doc, undefined, "a comment followed by a blank line is not a doc");
  assert.equal(steps[4]?.doc, undefined, "a trailing comment on the line above is not a doc");
});

test("extractSteps reads escapes in string literals and ignores a `function Given(` declaration", () => {
  const source = [
    'Given("the label \\"app\\" is {string}", () => {});',
    "function When(text: string) {}",
    "Then( 'it\\'s {int}' , () => {});",
  ].join("\n");
  assert.deepEqual(
    extractSteps("steps/x.steps.ts", source).map((s) => s.expression),
    ['the label "app" is {string}', "it's {int}"],
  );
});

test("extractParameterTypes reads names, regexps and docs of defineParameterType calls", () => {
  const source = `import { defineParameterType } from "@cucumber/cucumber";
// A Kubernetes Service type.
defineParameterType({ name: "serviceType", regexp: /ClusterIP|NodePort|headless/, transformer: (s: string) => s });
defineParameterType({
  name: "killMode",
  regexp: [/killed/, /force-deleted/],
  transformer: (s: string) => { return s === "killed" ? "graceful" : "force"; },
});`;
  const types = extractParameterTypes(source);
  assert.deepEqual(
    types.map((t) => [t.name, t.regexps.map(String), t.doc]),
    [
      ["serviceType", ["/ClusterIP|NodePort|headless/"], "A Kubernetes Service type."],
      ["killMode", ["/killed/", "/force-deleted/"], undefined],
    ],
  );
});

test("the default parameter types are the ones support/parameter-types.ts declares", async () => {
  const source = await readFile(new URL("../../support/parameter-types.ts", import.meta.url), "utf8");
  const actual = extractParameterTypes(source).map((t) => [t.name, t.regexps.map(String)]);
  assert.deepEqual(
    actual,
    DEFAULT_PARAMETER_TYPES.map((t) => [t.name, t.regexps.map(String)]),
  );
});

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

test("findExamples records the first use, matching custom parameter types, optional text and alternation", () => {
  const catalog = findExamples(definitions, features);
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
  assert.ok(findExamples(definitions, []).every((step) => step.example === undefined));
});

test("matchFeatureSteps reports undefined and ambiguous feature steps", () => {
  const overlapping: StepDefinition[] = [
    { keyword: "When", expression: "{int} pod(s) of {string} is/are {killMode}", file: "steps/a.steps.ts", line: 1 },
    { keyword: "When", expression: "{int} pod(s) of {string} is/are {word}", file: "steps/b.steps.ts", line: 1 },
  ];
  const text = 'Feature: f\n  Scenario: s\n    When 1 pod of "web" is killed\n    And 3 pods of "web" are gone now\n';
  const matches = matchFeatureSteps(overlapping, [{ file: "features/f.feature", text }]);
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
  assert.throws(() => findExamples(broken, []), /steps\/x\.steps\.ts:7: cannot compile the step "a \{colour\} thing"/);
});

test("renderMarkdown renders the title, parameter table, sections in domain order, docs and examples", () => {
  const catalog: CatalogStep[] = findExamples(definitions, features);
  catalog[1]!.doc = "Kills pods.\nGracefully or not.";
  const markdown = renderMarkdown(catalog);
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
  const catalog = findExamples(definitions, features);
  const markdown = renderMarkdown(catalog);
  assert.equal(renderMarkdown([...catalog].reverse()), markdown);
  const every = markdown.indexOf("`Then every request succeeds`");
  const split = markdown.indexOf("`Then the requests split evenly");
  assert.ok(every > 0 && split > every);
});

test("renderMarkdown fences code spans that contain backticks", () => {
  const markdown = renderMarkdown([
    { keyword: "Given", expression: "a `quoted` word", file: "steps/odd.steps.ts", line: 1 },
  ]);
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
