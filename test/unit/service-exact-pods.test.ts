import assert from "node:assert/strict";
import { test } from "node:test";
import { Service } from "../../support/services/service.ts";
import { fakeScenario } from "./fake-scenario.ts";

test("'the ready endpoints are exactly the ready pods' refuses a backend with no ready pod instead of passing", () => {
  const service = new Service(fakeScenario(), "web");
  assert.throws(
    () => service.waitForExactly(30, [], "web"),
    /^Error: expected the ready endpoints of web to be exactly the ready pods of web, but web has no ready pod, so there is nothing to compare; wait for its pods first, and if no endpoint is what you expect, use: Then within 30 seconds the Service "web" has 0 ready endpoints$/,
  );
});
