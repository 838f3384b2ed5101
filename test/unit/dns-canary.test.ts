import assert from "node:assert/strict";
import { test } from "node:test";
import { canaryLookups, canaryProblem } from "../../support/dns/canary.ts";
import type { DnsProbeResult } from "../../support/kube/prober.ts";

const lookup = (fields: Partial<DnsProbeResult>): DnsProbeResult => ({
  seq: 0,
  startUnixMs: 0,
  durationMs: 1,
  ok: true,
  answers: ["10.96.7.7"],
  error: "",
  errorKind: "",
  ...fields,
});

test("the canary passes only when every one of its lookups answered its ClusterIP, and says what the others got", () => {
  const answered = Array.from({ length: canaryLookups }, () => lookup({}));
  assert.equal(canaryProblem(answered, "10.96.7.7"), undefined);
  assert.equal(
    canaryProblem([], "10.96.7.7"),
    `0 of 0 lookups did not answer 10.96.7.7; 0 of ${canaryLookups} lookups made`,
  );
  assert.match(
    canaryProblem(answered.slice(1), "10.96.7.7") ?? "",
    /15 of 16 lookups made/,
    "a short round proves less",
  );
  const stale = lookup({ ok: false, answers: null, errorKind: "nxdomain", error: "no such host" });
  assert.equal(
    canaryProblem([...answered.slice(3), stale, stale, lookup({ answers: ["10.96.0.1"] })], "10.96.7.7"),
    "3 of 16 lookups did not answer 10.96.7.7 (2 nxdomain, 1 answered 10.96.0.1)",
  );
});
