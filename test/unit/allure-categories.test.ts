// The Allure categories in allurerc.mjs sort a night's failures for triage; checked with Allure's own matcher.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CategoriesConfig, matchCategory, normalizeCategoriesConfig } from "@allurereport/core-api";

// allurerc.mjs is plain JavaScript (Allure's CLI reads it); a path in a variable keeps tsc from wanting its types.
const allurerc = "../../allurerc.mjs";
const config = ((await import(allurerc)) as { default: { categories: CategoriesConfig } }).default;
const categories = normalizeCategoriesConfig(config.categories);
const categoryOf = (status: string, message: string, flaky = false) =>
  matchCategory(categories, { status, labels: [], message, trace: "", flaky } as never)?.name;

test("a failed check of the Services is a product defect", () => {
  assert.equal(
    categoryOf("failed", 'within 15 seconds the Service "web" has 3 ready endpoints: saw 2 after 15.0 s'),
    "Product defect",
  );
});

test("a cluster or machine problem is an infrastructure error", () => {
  assert.equal(
    categoryOf("broken", "no healthy kubequake cluster to run scenarios on: the API server does not answer"),
    "Infrastructure error",
  );
  assert.equal(categoryOf("failed", "pod web-1 is not running: ErrImageNeverPull"), "Infrastructure error");
});

test("a mistake in the scenario or a bug in kubequake is a harness error", () => {
  assert.equal(categoryOf("failed", 'the Service "wbe" is unknown\n  what to do: use one of: web'), "Harness error");
  assert.equal(categoryOf("broken", "TypeError: Cannot read properties of undefined (reading 'x')"), "Harness error");
});

test("a scenario that failed and then passed on retry is flaky, whatever its message", () => {
  assert.equal(categoryOf("failed", "connection refused", true), "Flaky");
});
