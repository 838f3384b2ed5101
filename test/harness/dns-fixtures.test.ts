// The DNS, ExternalName and hostname checks catch what they are for: fixture scenarios that must fail (a pod whose
// hostname differs, a name that only a pod's own /etc/hosts knows, a headless Service's SRV records taken for a
// ClusterIP Service's, an ExternalName for a misspelt Service, a CNAME to another Service), each with its message.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, RegExp> = {
  "A pod whose hostname is not the one expected":
    /the pod named sees its hostname as "myhost", expected "otherhost" \(its spec: hostname myhost, hostNetwork false, node [a-z0-9-]+\)/,
  "A name only in a pod's own /etc/hosts, looked up from another pod":
    /timed out after 3\.\d s waiting until myhost\.no-such-service\.kq-[a-z0-9-]+\.svc\.cluster\.local resolves to the IP of pod named; last observed: .*nxdomain/,
  "A headless Service has no SRV record of its own name":
    /timed out after 3\.\d s waiting until the SRV record of _http\._tcp\.db names port 8080 on db\.kq-[a-z0-9-]+\.svc\.cluster\.local \(ClusterIP None\); last observed: .*db-0\.db\.kq-/,
  "An ExternalName for a Service that is not there":
    /the Service "web" cannot become an ExternalName for the Service "tagret": there is no Service "tagret" in kq-[a-z0-9-]+/,
  "An ExternalName that is an alias of another Service than expected":
    /timed out after 3\.\d s waiting until web is an alias \(CNAME\) of other\.kq-[a-z0-9-]+\.svc\.cluster\.local; last observed: \["target\.kq-[a-z0-9-]+\.svc\.cluster\.local"\]/,
};

test("DNS, ExternalName and hostname checks that must fail do fail, each with the expected message", async () => {
  const runId = newRunId("dfx");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/dns-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness/dns",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness/dns/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
